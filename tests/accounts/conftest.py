import pytest

from tests.factories import make_commissioner

PASSWORD = "the-right-password-123"


@pytest.fixture
def commissioner(gateshead):
    """A Gateshead commissioner who signs in with ``PASSWORD``."""
    user = make_commissioner(gateshead, username="gateshead-staff")
    user.set_password(PASSWORD)
    user.save()
    return user
