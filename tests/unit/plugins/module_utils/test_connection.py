# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Connection settings, credentials and the account fingerprint (_connection)."""
from __future__ import annotations

import hashlib
import json

import pytest

ovh = pytest.importorskip("ovh")
import ovh.client  # noqa: E402  pylint: disable=wrong-import-position
import ovh.config  # noqa: E402  pylint: disable=wrong-import-position
from ovh import exceptions as ovh_exc  # noqa: E402  pylint: disable=wrong-import-position

from ansible_collections.snapkeep.nasha.plugins.module_utils._errors import (  # noqa: E402  pylint: disable=wrong-import-position
    CREDENTIAL_NAMES,
    OvhApiError,
    without_userinfo,
)
from ansible_collections.snapkeep.nasha.plugins.module_utils._connection import (  # noqa: E402  pylint: disable=wrong-import-position
    account_fingerprint,
    build_client,
    connection_settings,
    endpoint_url_problem,
    userinfo_values,
)

APP_SECRET = "APPSECRET-d41d8cd98f00b204"
CONSUMER_KEY = "CONSUMERKEY-9e107d9d372bb682"
CLIENT_SECRET = "CLIENTSECRET-e4d909c290d0fb1c"
ALL_SECRETS = (APP_SECRET, CONSUMER_KEY, CLIENT_SECRET)


class FakeClient:
    """Stands for the ovh.Client a factory makes: holds what it was given, sends nothing."""

    def __init__(self):
        self._endpoint = "https://eu.api.ovh.com/1.0"
        self._timeout = 30


def assert_no_secret(*values):
    text = json.dumps([repr(value) for value in values], default=str)
    for secret in ALL_SECRETS:
        assert secret not in text


# ------------------------------------------------------------------ connection settings and credentials

@pytest.fixture
def clean_config(monkeypatch, tmp_path):
    """No OVH_* variable, no ovh.conf, and a private copy of python-ovh's endpoint table."""
    for name in ("ENDPOINT", "APPLICATION_KEY", "APPLICATION_SECRET", "CONSUMER_KEY", "CLIENT_ID", "CLIENT_SECRET"):
        monkeypatch.delenv("OVH_" + name, raising=False)
    monkeypatch.setattr(ovh.config, "CONFIG_PATH", [])
    monkeypatch.setattr(ovh.client, "ENDPOINTS", dict(ovh.client.ENDPOINTS))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def params(**values):
    base = dict(endpoint=None, application_key=None, application_secret=None, consumer_key=None,
                client_id=None, client_secret=None, api_timeout=30, api_retries=4)
    base.update(values)
    return base


@pytest.mark.parametrize("url", [
    "https://eu.api.ovh.com/1.0",
    "https://api.example.test:8443/prefix/1.0",
    "http://127.0.0.1:8080/1.0",
    "http://127.3.2.1/1.0",
    "http://[::1]:9000/1.0",
    "http://localhost:9000/1.0",
])
def test_endpoint_urls_accepted_and_registered(clean_config, url):
    settings = connection_settings(params(endpoint=url))
    assert settings["endpoint"] == url
    assert ovh.client.ENDPOINTS[url] == url


@pytest.mark.parametrize("url,reason", [
    ("http://api.example.test/1.0", "plain http to a remote host"),
    ("http://10.0.0.5:8080/1.0", "plain http to a remote host"),
    ("https://api.example.test/api", "must end with the API version path /1.0"),
    ("https://api.example.test", "must end with the API version path /1.0"),
    ("ftp://api.example.test/1.0", "not an http:// or https:// URL"),
    ("https://user:pw@api.example.test/1.0", "must not hold a user name or password"),
    ("https://api.example.test:99999/1.0", "not a valid URL"),
])
def test_endpoint_urls_refused(clean_config, url, reason):
    with pytest.raises(OvhApiError, match=reason) as err:
        connection_settings(params(endpoint=url))
    assert "pw" not in str(err.value)
    assert url not in ovh.client.ENDPOINTS


@pytest.mark.parametrize("url", [
    "https://someone:pa55-word@api.example.test:99x/1.0",
    "https://someone:pa55-word@api.example.test:99999/1.0",
    "https://someone:pa55-word@api.example.test/1.0",
    "https://someone:pa55@word@[::1:99/1.0",
    "http://pa55-word@127.0.0.1:1x/1.0",
])
def test_an_endpoint_with_a_password_is_refused_without_repeating_it(clean_config, url):
    with pytest.raises(OvhApiError, match="must not hold a user name or password") as err:
        connection_settings(params(endpoint=url))
    assert "pa55" not in str(err.value) and "someone" not in str(err.value)


def test_userinfo_is_left_out_of_every_message_naming_an_endpoint(clean_config):
    assert without_userinfo("https://u:pw@host:1/1.0?q=a@b") == "https://host:1/1.0?q=a@b"
    assert without_userinfo("u:pw@host/1.0") == "host/1.0"
    assert without_userinfo("https://host/1.0/a@b") == "https://host/1.0/a@b"
    assert userinfo_values("https://user:s3cret@host/1.0") == ["user:s3cret", "s3cret"]
    assert userinfo_values("https://host/1.0") == []
    assert "s3cret" not in endpoint_url_problem("https://user:s3cret@host:bad/1.0")
    with pytest.raises(OvhApiError) as err:
        connection_settings(params(endpoint="user:s3cret@eu.api.ovh.com:99999/1.0"))
    assert "s3cret" not in str(err.value) and "Unknown endpoint eu.api.ovh.com:99999/1.0" in str(err.value)


def test_unknown_endpoint_name_refused(clean_config):
    with pytest.raises(OvhApiError, match="Unknown endpoint ovh-mars: use one of .*ovh-eu"):
        connection_settings(params(endpoint="ovh-mars"))


def test_missing_endpoint_says_how_to_set_it(clean_config):
    with pytest.raises(OvhApiError, match="set endpoint or OVH_ENDPOINT"):
        connection_settings(params())


def test_endpoint_from_environment(clean_config, monkeypatch):
    monkeypatch.setenv("OVH_ENDPOINT", "ovh-ca")
    assert connection_settings(params())["endpoint"] == "ovh-ca"


@pytest.mark.parametrize("values,message", [
    (dict(api_timeout=0), "api_timeout must be 1 second or more"),
    (dict(api_retries=-1), "api_retries must be 0 or more"),
])
def test_limits(clean_config, values, message):
    with pytest.raises(OvhApiError, match=message):
        connection_settings(params(endpoint="ovh-eu", **values))


class RecordingFactory:
    def __init__(self):
        self.kwargs = None

    def __call__(self, **kwargs):
        self.kwargs = kwargs
        client = FakeClient()
        for name in CREDENTIAL_NAMES:
            setattr(client, "_" + name, kwargs.get(name))
        return client


@pytest.mark.parametrize("given,missing", [
    (dict(application_key="ak-1234"), "application_secret is missing"),
    (dict(application_secret=APP_SECRET, consumer_key=CONSUMER_KEY), "application_key is missing"),
    (dict(client_id="cid-1234"), "client_secret is missing"),
    (dict(client_secret=CLIENT_SECRET), "client_id is missing"),
    (dict(application_key="ak-1234", application_secret=APP_SECRET), "consumer_key is missing"),
    (dict(application_key="ak-1234", application_secret=APP_SECRET, consumer_key=CONSUMER_KEY,
          client_id="cid-1234", client_secret=CLIENT_SECRET), "use one kind of credentials only"),
    ({}, "No OVHcloud credentials are set"),
])
def test_incomplete_credentials_are_named_never_shown(clean_config, given, missing):
    factory = RecordingFactory()
    with pytest.raises(OvhApiError, match=missing) as err:
        build_client(params(endpoint="ovh-eu", **given), client_factory=factory)
    assert factory.kwargs is None  # refused before the client exists
    assert_no_secret(str(err.value), err.value.to_fail_kwargs())


def test_credentials_completed_from_environment(clean_config, monkeypatch):
    monkeypatch.setenv("OVH_APPLICATION_SECRET", APP_SECRET)
    monkeypatch.setenv("OVH_CONSUMER_KEY", CONSUMER_KEY)
    client = build_client(params(endpoint="ovh-eu", application_key="ak-1234", api_timeout=12))
    assert client._timeout == 12
    assert client._application_key == "ak-1234"
    assert client._application_secret == APP_SECRET


def test_url_endpoint_with_ovh_conf_section_named_by_the_url(clean_config, monkeypatch):
    url = "http://127.0.0.1:8765/1.0"
    conf = clean_config / "ovh.conf"
    conf.write_text("[default]\nendpoint=%s\n[%s]\napplication_key=ak-1234\napplication_secret=%s\nconsumer_key=%s\n"
                    % (url, url, APP_SECRET, CONSUMER_KEY))
    monkeypatch.setattr(ovh.config, "CONFIG_PATH", [str(conf)])
    client = build_client(params(api_timeout=7))  # the real ovh.Client; it sends nothing when created
    assert client._endpoint == url
    assert client._application_key == "ak-1234"
    assert client._consumer_key == CONSUMER_KEY
    assert client._timeout == 7


def test_oauth2_refused_on_a_url_endpoint(clean_config):
    with pytest.raises(OvhApiError, match="only work with the endpoints"):
        build_client(params(endpoint="https://api.example.test/1.0", client_id="cid-1234", client_secret=CLIENT_SECRET),
                     client_factory=RecordingFactory())


def test_python_ovh_configuration_errors_become_clear_errors(clean_config):
    def factory(**kwargs):
        raise ovh_exc.InvalidConfiguration("Invalid config, secret %s" % kwargs["application_secret"])

    with pytest.raises(OvhApiError, match="The OVHcloud connection settings are not valid: Invalid config") as err:
        build_client(params(endpoint="ovh-eu", application_key="ak-1234", application_secret=APP_SECRET,
                            consumer_key=CONSUMER_KEY), client_factory=factory)
    assert_no_secret(str(err.value))


def test_credentials_resolved_by_the_client_are_checked(clean_config):
    def factory(**kwargs):
        client = RecordingFactory()(**kwargs)
        client._consumer_key = None  # as if python-ovh's own lookup had found none
        return client

    with pytest.raises(OvhApiError, match="consumer_key is missing"):
        build_client(params(endpoint="ovh-eu", application_key="ak-1234", application_secret=APP_SECRET,
                            consumer_key=CONSUMER_KEY), client_factory=factory)


def test_to_fail_kwargs_only_has_known_facts():
    assert OvhApiError("Something failed").to_fail_kwargs() == dict(msg="Something failed")
    error = OvhApiError("Busy", status=409, query_id="q", error_code="Client::Conflict", details={"a": 1})
    assert error.to_fail_kwargs() == dict(msg="Busy", http_status=409, query_id="q", error_code="Client::Conflict",
                                          details={"a": 1})


def test_the_account_fingerprint_names_the_keys_and_hashes_the_consumer_key(clean_config, monkeypatch):
    monkeypatch.setenv("OVH_CONSUMER_KEY", "ck-from-the-environment-1234")
    first = account_fingerprint(dict(endpoint="ovh-eu", application_key="ak-1", application_secret=APP_SECRET))
    assert first["application_key"] == "ak-1" and first["client_id"] is None and first["endpoint"] == "ovh-eu"
    assert first["consumer_key_sha256"] == hashlib.sha256(b"ck-from-the-environment-1234").hexdigest()
    assert "ck-from-the-environment-1234" not in json.dumps(first) and APP_SECRET not in json.dumps(first)
    other = account_fingerprint(dict(endpoint="ovh-eu", application_key="ak-1", consumer_key=CONSUMER_KEY))
    assert other != first
