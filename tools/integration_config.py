"""Writes tests/integration/integration_config.yml: how the integration targets reach the simulator.

ansible-test passes no OVH_* environment variable to the targets, so the endpoint and the test
credentials of the seed are handed over as variables. The file is generated and git-ignored, and
galaxy.yml keeps it out of the built collection.
"""
import json
import sys


def main():
    base_url, seed_path = sys.argv[1], sys.argv[2]
    data_dir = sys.argv[3] if len(sys.argv) > 3 else None  # the simulator's --data-dir: the partitions' shares
    with open(seed_path, encoding="utf-8") as seed_file:
        seed = json.load(seed_file)
    app = seed["credentials"][0]
    consumer = app["consumer_keys"][0]
    control_url = base_url.rsplit("/1.0", 1)[0] + "/_sim"
    values = {
        "ovh_endpoint": base_url,
        "ovh_application_key": app["application_key"],
        "ovh_application_secret": app["application_secret"],
        "ovh_consumer_key": consumer["consumer_key"],
        "sim_control_url": control_url,
    }
    if data_dir:
        values["sim_data_dir"] = data_dir
    for key, value in values.items():
        print("%s: %s" % (key, json.dumps(value)))


if __name__ == "__main__":
    main()
