"""Deep-zoom tiles and thumbnails."""
