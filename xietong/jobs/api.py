"""Jobs over JSON (mounted at /api/jobs): follow, list and retry background jobs."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from xietong.core.paging import paginate
from xietong.jobs import selectors, services
from xietong.jobs.exports import file_response
from xietong.jobs.schemas import Error, JobOut, JobPage, JobQuery, job_out

router = Router(tags=["jobs"])
ERRORS: dict[int, Any] = {401: Error, 403: Error, 404: Error, 409: Error, 422: Error}


def _actor(request: HttpRequest) -> Any:
    return request.actor  # type: ignore[attr-defined]


@router.get("/", response={200: JobPage, **ERRORS}, summary="My jobs")
def list_jobs(request: HttpRequest, query: Query[JobQuery]) -> Any:
    qs = selectors.my_jobs(_actor(request), status=query.status, kind=query.kind)
    p = paginate(qs.select_related("target_type"), query.page, query.page_size)
    return {
        "count": p.paginator.count,
        "page": p.number,
        "page_size": p.paginator.per_page,
        "pages": p.paginator.num_pages,
        "items": [job_out(j) for j in p.object_list],
    }


@router.get("/{int:pk}", response={200: JobOut, **ERRORS}, summary="Status and progress")
def get_job(request: HttpRequest, pk: int) -> Any:
    return job_out(selectors.job_detail(_actor(request), pk))


@router.post("/{int:pk}/retry", response={202: JobOut, **ERRORS}, summary="Retry a failed job")
def retry_job(request: HttpRequest, pk: int) -> Any:
    services.retry(_actor(request), pk)
    return 202, job_out(selectors.job_detail(_actor(request), pk))


@router.post("/{int:pk}/cancel", response={200: JobOut, **ERRORS}, summary="Cancel a job")
def cancel_job(request: HttpRequest, pk: int) -> Any:
    services.cancel(_actor(request), pk)
    return job_out(selectors.job_detail(_actor(request), pk))


@router.get(
    "/{int:pk}/result",
    response={200: None, **ERRORS},
    summary="Download a job's result file (an export …; audited)",
    url_name="job_result",
)
def job_result(request: HttpRequest, pk: int) -> Any:
    found = services.open_result(_actor(request), pk)
    return file_response(found.handle, found.name, found.content_type)
