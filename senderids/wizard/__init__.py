"""The request wizard (django-formtools): steps (forms), guards against formtools' pitfalls, the view."""
