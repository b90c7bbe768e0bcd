from flask import Blueprint

bp = Blueprint("funders", __name__)
