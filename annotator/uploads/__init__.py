"""Resumable uploads: big files sent in chunks with offsets and a checksum, then ingested."""
