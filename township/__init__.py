"""Bangfu's project package, and the app for places (county, township, village) and people."""

from township.celery import app as celery_app

__all__ = ("celery_app",)
