"""Email alerts, GOV.UK style and without accounts.

Feature apps register **sources** of alerts from their ``AppConfig.ready()`` (see
``sources.register``): what changed in a time window, the FilterSet that validates a
subscription's search and picks from those changes, and how an item reads in an
email. ``councils`` never imports a feature app; it only walks the registry.

People subscribe to a finder's search, or to a topic (a council, a type of care)
that every source with that filter answers. Subscribing stores nothing until the
signed link in the confirmation email is followed. Mail is sent by tasks
(``tasks.py``) outside the request; ``manage.py send_alerts`` starts each run.
"""
