from flask import Blueprint

bp = Blueprint("paper", __name__)
