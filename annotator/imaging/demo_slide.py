"""A small synthetic pyramidal whole-slide image (Aperio SVS, 0.25 µm/px) so the demo project shows a slide.

Pale background, pink "tissue" blobs with dark purple "nuclei", fine grain, tiled JPEG in a TIFF pyramid; the Aperio
ImageDescription states the resolution, which OpenSlide reports as openslide.mpp-x/-y.
"""

from __future__ import annotations

from pathlib import Path

import pyvips

DEMO_MPP = 0.25
BACKGROUND = (242, 232, 238)
TISSUE = (214, 140, 186)
NUCLEUS = (92, 58, 140)


def _above(noise: pyvips.Image, spread: float) -> pyvips.Image:
    """Where smoothed noise is above its mean by `spread` deviations (a blob mask)."""
    return noise > noise.avg() + spread * noise.deviate()


def demo_slide_write(*, path: Path, width: int = 4096, height: int = 3072) -> Path:
    """Write the demo slide to `path` (about 5 MB at the default size) and return it."""
    # Threshold after upsampling (not before), so that edges are smooth curves rather than blocks.
    coarse = pyvips.Image.gaussnoise(-(-width // 16), -(-height // 16), sigma=40, mean=128).gaussblur(3)
    tissue_mask = _above(coarse.resize(16, kernel="linear").crop(0, 0, width, height), 0.4)
    fine = pyvips.Image.gaussnoise(-(-width // 4), -(-height // 4), sigma=40, mean=128).gaussblur(1.2)
    nuclei_mask = _above(fine.resize(4, kernel="linear").crop(0, 0, width, height), 1.6) & tissue_mask
    plain = pyvips.Image.black(width, height, bands=3)
    stained = tissue_mask.ifthenelse(plain + list(TISSUE), plain + list(BACKGROUND))
    slide = nuclei_mask.ifthenelse(plain + list(NUCLEUS), stained)
    slide = (slide + pyvips.Image.gaussnoise(width, height, sigma=10, mean=0)).cast("uchar").copy()
    description = (
        f"Aperio Image Library v12.0.0 \n{width}x{height} [0,0 {width}x{height}] (256x256) JPEG/RGB Q=80"
        f"|AppMag = 40|MPP = {DEMO_MPP:.4f}"
    )
    slide.set_type(pyvips.GValue.gstr_type, "image-description", description)
    slide.tiffsave(str(path), tile=True, tile_width=256, tile_height=256, pyramid=True, compression="jpeg", Q=80)
    return path
