from sqlalchemy import text

from salesos.db.engine import get_engine
from tests.conftest import both_databases


@both_databases
def test_migrated(settings):
    with get_engine().connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM users")).scalar() == 0
