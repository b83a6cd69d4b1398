from secondbrain_assets.core.store.uri import redact_uri, scrub, uri_hosts


def test_password_is_masked_and_host_kept() -> None:
    uri = "mongodb://app:s3cr%40t@db1.example:27017,db2.example:27018/prod?authSource=admin"
    assert redact_uri(uri) == (
        "mongodb://app:***@db1.example:27017,db2.example:27018/prod?authSource=admin"
    )
    assert uri_hosts(uri) == "db1.example:27017,db2.example:27018"


def test_srv_unencoded_at_and_secret_options() -> None:
    uri = (
        "mongodb+srv://u:p@ss@cluster0.x.mongodb.net/?tlsCertificateKeyFilePassword=k3y&w=majority"
    )
    red = redact_uri(uri)
    assert "p@ss" not in red and "k3y" not in red and "w=majority" in red
    assert uri_hosts(uri) == "cluster0.x.mongodb.net"


def test_uri_without_credentials_is_unchanged() -> None:
    assert redact_uri("mongodb://localhost:27017") == "mongodb://localhost:27017"
    assert uri_hosts("mongodb://localhost:27017") == "localhost:27017"


def test_scrub_removes_password_from_free_text() -> None:
    uri = "mongodb://root:hunter2@mongo:27017/"
    text = f"failed to connect to {uri}: auth with hunter2 failed"
    assert "hunter2" not in scrub(text, uri) and "mongo:27017" in scrub(text, uri)
