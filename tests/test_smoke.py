from oversight.audit.services import verify


def test_world_builds_and_chain_verifies(world):
    result = verify()
    assert result.ok, result.reason
    assert result.checked > 10
