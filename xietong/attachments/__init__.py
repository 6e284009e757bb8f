"""Attachments: files owned by any registered record, stored through Django's storage API.

How an app lets its records carry files:

1. Register the owner model once, from the app's ``ready()`` (see
   ``xietong/exchanges/attachments.py``)::

       from xietong.attachments.registry import register_owner

       register_owner(Report, readable=reports_for, manageable=may_attach_to_report)

   ``readable(actor)`` is the owner's scoped selector (a QuerySet); ``manageable(actor,
   obj)`` says whether the actor may attach and remove. Attachments are visible exactly when
   their owner row is readable; nothing of an unregistered owner type is visible.
2. Show ``{% load attachments %}{% attachments_panel obj kind="evidence" title=… %}`` on
   the owner's page: the list with download links and an upload form that works without
   JavaScript (posting to ``attachments:upload``). A view with its own upload endpoint
   calls ``views.handle_upload(request, obj, kind=…, max_bytes=…, types=…)``.
3. Services call ``services.attach(actor, obj, uploaded_file, kind=…, max_bytes=…)`` and
   ``services.remove(actor, attachment)``; reads go through ``selectors.attachments_of`` and
   ``selectors.downloadable``. The API is ``/api/attachments/``.

Settings: ``STORAGES["default"]`` (the filesystem under ``XIETONG_MEDIA_ROOT``, default
``var/media``; an S3-compatible store when ``XIETONG_S3_BUCKET`` is set),
``XIETONG_ATTACHMENT_MAX_BYTES`` (env ``XIETONG_ATTACHMENT_MAX_MB``, default 20) and
``XIETONG_ATTACHMENT_TYPES`` (keys of ``sniff.TYPES``; default all of them).
"""
