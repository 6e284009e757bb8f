"""In-app notifications: a code, its parameters and a target, rendered when read.

Apps register their kinds of notification in a ``notices`` module of their own (see
:mod:`xietong.notifications.kinds`) and send them with
:func:`xietong.notifications.services.notify`.
"""
