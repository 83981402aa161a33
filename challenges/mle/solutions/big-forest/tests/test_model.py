from train import make_model


def test_pipeline_builds():
    model = make_model(3)
    assert model.steps[-1][1].n_estimators == 3
