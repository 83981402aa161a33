"""The mle track (train, serialize, serve a model): `track` drives it, `config` types its
track_config, `train` and `serve` are its two sandboxed steps, `judge`, `bad_requests` and
`metrics` judge the prober's results on the host (`prober/` holds the prober's script)."""

from grader.tracks.mle.track import MleTrack

__all__ = ["MleTrack"]
