"""Scheduling settings: env prefix SCHEDULING_ (e.g. SCHEDULING_DATABASE_URL)."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import SettingsConfigDict

from common.settings import DATA_DIR, ServiceSettings


class SchedulingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SCHEDULING_", extra="ignore")

    service_name: str = "scheduling"
    # GIAS imports: uploads are kept here until their job ends.
    import_dir: Path = DATA_DIR / "imports"
    # The body limit of POST /v1/imports only (the national extract is about 60 MB).
    import_max_body_bytes: int = 64 * 1024 * 1024
    import_batch_size: int = 1000
    # A running job whose heartbeat is older than this is taken as dead (its process stopped).
    import_stale_seconds: float = 60.0
    # Schedule jobs: CP-SAT workers per search (several search interleaved, so the same seed
    # and budget still give the same schedule), the default search budget in deterministic
    # time units, and the wall-clock safety net of a search.
    solver_workers: int = 1
    solver_deterministic_time: float = 5.0
    solver_time_limit_s: float = 120.0
    schedule_stale_seconds: float = 60.0
