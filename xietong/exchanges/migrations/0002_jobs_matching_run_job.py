"""Matching runs execute as jobs: each run gets its Job; progress, error and finish time move.

Existing runs keep their meaning: a done or published run gets a succeeded job, a failed
one a failed job with its error, a queued or running one a job in that state (a running
one whose worker is gone is then failed by the heartbeat sweep and can be retried). The
run's own status keeps only its lifecycle: ``queued`` until it has results.
"""

import django.db.models.deletion
from django.db import migrations, models

KIND = "exchanges.matching_run"
JOB_STATUS = {
    "queued": "queued",
    "running": "running",
    "failed": "failed",
    "done": "succeeded",
    "published": "succeeded",
}


def _check_constraints_now(schema_editor):
    """PostgreSQL cannot ALTER a table with deferred FK checks pending from the copy."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def forwards(apps, schema_editor):
    MatchingRun = apps.get_model("exchanges", "MatchingRun")
    Job = apps.get_model("jobs", "Job")
    ContentType = apps.get_model("contenttypes", "ContentType")
    runs = MatchingRun.objects.all().order_by("pk")
    if not runs.exists():
        return
    ct, _ = ContentType.objects.get_or_create(app_label="exchanges", model="matchingrun")
    for run in runs:
        status = JOB_STATUS[run.status]
        job = Job.objects.create(
            kind=KIND,
            owner_id=run.created_by_id,
            status=status,
            done=100 if status == "succeeded" else run.progress,
            total=100,
            message_code=run.error if status == "failed" else "",
            parameters={"run": run.pk},
            target_type=ct,
            target_id=run.pk,
            started_at=run.created_at if status != "queued" else None,
            heartbeat_at=run.finished_at or run.created_at if status != "queued" else None,
            finished_at=run.finished_at,
            attempts=0 if status == "queued" else 1,
        )
        Job.objects.filter(pk=job.pk).update(created_at=run.created_at)
        run.job_id = job.pk
        if run.status in ("running", "failed"):
            run.status = "queued"  # no results yet; the job tells how its execution went
        run.save(update_fields=["job", "status"])
    _check_constraints_now(schema_editor)


def backwards(apps, schema_editor):
    MatchingRun = apps.get_model("exchanges", "MatchingRun")
    Job = apps.get_model("jobs", "Job")
    for run in MatchingRun.objects.exclude(job=None).order_by("pk"):
        job = Job.objects.get(pk=run.job_id)
        run.progress = min(100, job.done * 100 // job.total) if job.total else 0
        if job.status == "succeeded":
            run.progress = 100
        run.finished_at = job.finished_at
        if run.status == "queued" and job.status in ("running", "failed", "cancelled"):
            run.status = "failed" if job.status == "cancelled" else job.status
            run.error = (job.message_code or "")[:500]
        run.save(update_fields=["progress", "finished_at", "status", "error"])
    MatchingRun.objects.update(job=None)
    Job.objects.filter(kind=KIND).delete()
    _check_constraints_now(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("exchanges", "0001_initial"),
        ("jobs", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="matchingrun",
            name="job",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="matching_run",
                to="jobs.job",
            ),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveConstraint(model_name="matchingrun", name="run_progress_percent"),
        migrations.RemoveField(model_name="matchingrun", name="error"),
        migrations.RemoveField(model_name="matchingrun", name="finished_at"),
        migrations.RemoveField(model_name="matchingrun", name="progress"),
    ]
