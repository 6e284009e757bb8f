"""Services of the plan: tasks (``tasks``) and the records linked to them (``links``)."""
