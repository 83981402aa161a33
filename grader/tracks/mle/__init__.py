"""The mle track (train, serialize, serve a model): `track` drives it, `config` types its
track_config, `train` and `serve` are its two sandboxed steps, `judge`, `model_checks`,
`consistency`, `bad_requests` and `metrics` judge the prober's results on the host,
`loads_once` whether the model is read per request, `training_rows` whether it was trained
on all the rows (`prober/` holds the prober's script)."""

from grader.tracks.mle.track import MleTrack

__all__ = ["MleTrack"]
