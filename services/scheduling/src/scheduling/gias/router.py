"""Routes of /v1/imports: GIAS extracts in, a job resource out (202 + Location to poll)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, File, Path, Request, Response, UploadFile

from scheduling.deps import DirectoryWriter, SessionDep
from scheduling.gias import service
from scheduling.gias.models import FileKind, ImportJob, ImportRejection
from scheduling.gias.schemas import Counts, ImportFileOut, ImportOut, RejectionOut

router = APIRouter(prefix="/v1/imports", tags=["imports"])

ImportId = Annotated[UUID, Path(description="Import job id")]


@router.post(
    "",
    name="start_import",
    summary="Import GIAS extracts",
    description=(
        "Upload one or more GIAS extracts as `multipart/form-data` (fields `establishments`: "
        "edubasealldataYYYYMMDD.csv, `groups`: allgroupsdata.csv, `links`: "
        "links_edubasealldataYYYYMMDD.csv; Windows-1252 CSV as DfE publishes them). Answers "
        "202 with `Location` of the job to poll. With the `imports:admin` scope the import is "
        "national; otherwise it covers the token's LAs and skips (counts) other LAs' rows. "
        "Emits `scheduling.school.registered`/`.updated` for new and changed schools only."
    ),
    status_code=202,
    response_model=ImportOut,
    responses={202: {"description": "Accepted: the job is queued", "model": ImportOut}},
)
async def start_import(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: DirectoryWriter,
    establishments: Annotated[
        UploadFile | None, File(description="edubasealldataYYYYMMDD.csv")
    ] = None,
    groups: Annotated[UploadFile | None, File(description="allgroupsdata.csv")] = None,
    links: Annotated[
        UploadFile | None, File(description="links_edubasealldataYYYYMMDD.csv")
    ] = None,
) -> ImportOut:
    uploads = [
        service.Upload(kind, upload.filename or f"{kind.value}.csv", upload.file)
        for kind, upload in (
            (FileKind.ESTABLISHMENTS, establishments),
            (FileKind.GROUPS, groups),
            (FileKind.LINKS, links),
        )
        if upload is not None
    ]
    settings = request.app.state.settings
    job = await service.start_import(session, principal, uploads, import_dir=settings.import_dir)
    request.app.state.imports.start(job.id)
    response.headers["Location"] = f"/v1/imports/{job.id}"
    return _out(job, [])


@router.get("/{import_id}", name="get_import", summary="An import job", response_model=ImportOut)
async def get_import(
    import_id: ImportId, request: Request, session: SessionDep, principal: DirectoryWriter
) -> ImportOut:
    stale_after = request.app.state.settings.import_stale_seconds
    job, rejections = await service.get_import(
        session, principal, import_id, stale_after=stale_after
    )
    return _out(job, rejections)


@router.delete(
    "/{import_id}",
    name="cancel_import",
    summary="Cancel an import job",
    description=(
        "Stops the job after its current batch (rows already committed stay). 202 with the job "
        "(it turns `cancelled` shortly); 409 when it has already finished."
    ),
    status_code=202,
    response_model=ImportOut,
    responses={202: {"description": "Cancellation requested", "model": ImportOut}},
)
async def cancel_import(
    import_id: ImportId, session: SessionDep, principal: DirectoryWriter
) -> ImportOut:
    job = await service.cancel_import(session, principal, import_id)
    return _out(job, [])


def _out(job: ImportJob, rejections: Sequence[ImportRejection]) -> ImportOut:
    files = [
        ImportFileOut(
            kind=FileKind(f["kind"]),
            filename=f["filename"],
            size=f["size"],
            counts=Counts(**job.counts.get(f["kind"], {})),
        )
        for f in job.files
    ]
    return ImportOut(
        id=job.id,
        status=job.status,
        progress=job.progress,
        national=job.national,
        la_codes=job.la_codes,
        files=files,
        counts=Counts(**service.totals(job.counts)),
        rejections=[RejectionOut.model_validate(r) for r in rejections],
        rejections_shown=len(rejections),
        reason=job.reason,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
    )
