"""One module per measured figure; each exposes `run(ctx: StageContext) -> dict`."""
