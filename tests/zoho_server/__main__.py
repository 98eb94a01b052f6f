# Copyright 2026 Magestore
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Run the local Zoho server on its own.

    python3 -m tests.zoho_server --dataset tests/zoho_server/datasets/demo.json \
        --port 8079 [--rate-limit-burst 3] [--slow 40] ...
    python3 -m tests.zoho_server --accounts 50 --contacts 200 [--seed 7]

Then point Settings > Zoho at it (developer mode): Accounts URL and API URL
``http://127.0.0.1:8079``, and the client id, secret and refresh token printed
at start-up.
"""

import argparse
import logging
import signal
import threading

from .datasets import generate
from .server import ZohoServer


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python3 -m tests.zoho_server",
        description="A local Zoho CRM compatible server on 127.0.0.1.",
    )
    data = parser.add_mutually_exclusive_group()
    data.add_argument("--dataset", help="JSON file of records (Zoho's shape)")
    data.add_argument(
        "--accounts",
        type=int,
        metavar="N",
        help="serve a generated dataset of N accounts (see datasets.py)",
    )
    parser.add_argument(
        "--contacts",
        type=int,
        metavar="M",
        help="with --accounts: M generated contacts (default 3 per account)",
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="with --accounts: the generator's seed"
    )
    parser.add_argument("--port", type=int, default=8079)
    parser.add_argument("--client-id", default="1000.LOCALCLIENT")
    parser.add_argument("--client-secret", default="local-client-secret")
    parser.add_argument("--refresh-token", default="1000.local-refresh-token")
    parser.add_argument("--grant-code", action="append", default=None)
    parser.add_argument("--token-lifetime", type=int, default=3600, help="seconds")
    faults = parser.add_argument_group("faults")
    faults.add_argument(
        "--token-expire-after",
        type=int,
        metavar="N",
        help="an access token dies after N API calls",
    )
    faults.add_argument(
        "--rate-limit-burst",
        type=int,
        default=0,
        metavar="N",
        help="answer the next N API calls with 429",
    )
    faults.add_argument(
        "--server-error-burst",
        type=int,
        default=0,
        metavar="N",
        help="answer the next N API calls with 500",
    )
    faults.add_argument(
        "--slow",
        type=float,
        default=0,
        metavar="S",
        help="wait S seconds before every API answer",
    )
    faults.add_argument(
        "--malformed-json",
        type=int,
        default=0,
        metavar="N",
        help="send broken JSON on the next N API calls",
    )
    faults.add_argument(
        "--page-token-ttl",
        type=float,
        default=24 * 3600,
        metavar="S",
        help="page tokens expire after S seconds",
    )
    faults.add_argument(
        "--no-page-token",
        action="store_true",
        help="never offer next_page_token (the 2000-record wall)",
    )
    faults.add_argument(
        "--not-modified-304",
        action="store_true",
        help="answer 304 instead of 204 when nothing changed",
    )
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.contacts is not None and args.accounts is None:
        parser.error("--contacts needs --accounts")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    dataset = args.dataset
    if args.accounts is not None:
        contacts = args.contacts if args.contacts is not None else 3 * args.accounts
        dataset = generate(args.accounts, contacts, args.seed)
    server = ZohoServer(
        dataset,
        port=args.port,
        client_id=args.client_id,
        client_secret=args.client_secret,
        refresh_token=args.refresh_token,
        grant_codes=args.grant_code or ("1000.local-grant-code",),
        access_token_lifetime=args.token_lifetime,
    )
    faults = server.faults
    faults.token_expire_after = args.token_expire_after
    faults.rate_limit_burst = args.rate_limit_burst
    faults.server_error_burst = args.server_error_burst
    faults.slow_seconds = args.slow
    faults.malformed_json = args.malformed_json
    faults.page_token_ttl = args.page_token_ttl
    faults.no_page_token = args.no_page_token
    faults.not_modified_status = 304 if args.not_modified_304 else 204
    server.start()
    print(
        f"Zoho server on {server.url} ({len(server.dataset['Accounts'])} accounts, "
        f"{len(server.dataset['Contacts'])} contacts)\n"
        f"  accounts URL and API URL: {server.url}\n"
        f"  client id: {server.client_id}\n"
        f"  client secret: {server.client_secret}\n"
        f"  refresh token: {args.refresh_token}\n"
        f"  grant codes: {', '.join(sorted(server.grant_codes))}\n"
        "Ctrl-C stops it.",
        flush=True,
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
