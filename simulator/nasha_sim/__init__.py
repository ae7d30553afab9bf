"""A local simulator of the OVHcloud NAS-HA snapshot API (standard library only).

Start it with ``python -m simulator.nasha_sim --seed simulator/seeds/demo.json --state PATH``, or
in-process::

    server = make_server(SimConfig(task_duration=0.1), seed="simulator/seeds/test.json", state_path=tmp / "s.json")
    server.start_background()
    ...  # server.base_url == "http://127.0.0.1:PORT/1.0"
    server.stop()
"""
from .config import SimConfig, updated_config
from .server import SimServer, Simulator, make_server, write_port_file

__all__ = ["SimConfig", "SimServer", "Simulator", "make_server", "updated_config", "write_port_file"]
