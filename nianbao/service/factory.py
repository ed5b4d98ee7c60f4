"""uvicorn's entry point (`nianbao.service.factory:app`, factory=True): the app from NIANBAO_*."""

from __future__ import annotations

from fastapi import FastAPI

from nianbao.service.app import create_app
from nianbao.service.settings import from_env


def app() -> FastAPI:
    return create_app(from_env())
