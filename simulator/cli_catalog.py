"""`sagesim catalog` (the instance catalog for a region) and `sagesim catalog refresh` (prices from AWS's
price list file), registered on the main app."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from simulator.cli_options import option_errors, print_rows, staged_out
from simulator.errors import ScenarioError

if TYPE_CHECKING:
    from simulator.catalog import Catalog, InstanceType

catalog_app = typer.Typer(
    help="Print the instance catalog (or refresh its prices from AWS's price list file)."
)


def _accelerator(item: InstanceType, catalog: Catalog) -> str:
    if item.gpu is None:
        return "-"
    device = catalog.gpus.get(item.gpu.type)
    memory = f" {device.memory_gib:g} GiB" if device else ""
    return f"{item.gpu.count} x {item.gpu.type}{memory}"


@catalog_app.callback(invoke_without_command=True)
def catalog(
    context: typer.Context,
    region: Annotated[str, typer.Option(help="price the catalog for this AWS region")] = "us-east-1",
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
) -> None:
    """Print the instance catalog: family, vCPUs, memory, accelerators, network, CPU speed and the
    region's price with its source; legacy types are marked *."""
    if context.invoked_subcommand is not None:
        return
    from simulator.catalog import load_catalog

    with option_errors("--region"):
        data = load_catalog(region)
    if as_json:
        typer.echo(json.dumps(data.model_dump(), indent=2))
        return
    console = Console(width=200)
    header = ["instance type", "family", "vCPU", "GiB", "accelerator", "network Gbps", "cpu speed"]
    header += [f"USD/hour {data.region}", "price source", "spot bucket"]
    rows = [
        [
            item.name + (" *" if item.legacy else ""),
            item.family,
            str(item.vcpus),
            f"{item.memory_gib:g}",
            _accelerator(item, data),
            item.network or "-",
            f"{item.cpu_speed:g}",
            f"{item.price_per_hour:.4f}",
            item.price_source,
            item.spot_interruption_bucket or "-",
        ]
        for item in data.instances.values()
    ]
    print_rows(console, f"SageMaker hosting instance types ({len(data.instances)}; * legacy)", header, rows)
    header = ["accelerator", "FP32 TFLOPS", "FP16 TFLOPS", "GiB", "USD/hour", "price source"]
    rows = []
    for a in data.accelerators.values():
        figures = [f"{value:g}" for value in (a.fp32_tflops, a.fp16_tflops, a.memory_gib)]
        rows.append([a.name, *figures, f"{a.price_per_hour:.3f}", a.price_source])
    print_rows(console, "Elastic Inference accelerators (legacy)", header, rows)
    tiers = data.serverless
    console.print(
        f"serverless: memory {', '.join(map(str, tiers.memory_tiers_mb))} MB; "
        f"{tiers.price_per_gb_second:.7f} USD per GB-second compute, "
        f"{tiers.provisioned_price_per_gb_second:.7f} USD per GB-second of provisioned concurrency, "
        f"{tiers.price_per_gb_processed} USD per GB processed "
        f"({tiers.price_source})"
    )


@catalog_app.command()
def refresh(
    price_list: Annotated[
        Path, typer.Option("--price-list", help="a downloaded AmazonSageMaker offer file (index.json)")
    ],
    out: Annotated[Path, typer.Option("--out", help="output directory: the refreshed prices.csv")],
    prices: Annotated[
        Path | None, typer.Option("--prices", help="the prices.csv to update (default: the bundled one)")
    ] = None,
) -> None:
    """Rebuild the price table from AWS's public price list file, offline: every hosting price the file
    has for a catalog type and region replaces the table's; the rest is kept."""
    from importlib import resources

    from simulator.catalog import load_catalog
    from simulator.catalog.prices import read_prices, write_prices
    from simulator.catalog.refresh import read_offer, refresh_prices
    from simulator.staging import check_out

    check_out(out, "catalog refresh")
    data = resources.files("simulator.catalog").joinpath("data")
    try:
        current = read_prices(prices.read_text() if prices else data.joinpath("prices.csv").read_text())
    except (OSError, ValueError) as exc:
        raise ScenarioError("--prices", str(exc)) from None
    offer = read_offer(price_list, "--price-list")
    with option_errors("--price-list"):
        result = refresh_prices(current, offer, set(load_catalog().instances))
    with staged_out(out, "catalog refresh") as staging:
        (staging / "prices.csv").write_text(write_prices(result.prices))
    regions = sorted({region for _, region in result.priced})
    skipped = (
        f"; skipped {', '.join(result.skipped_regions)} (not every catalog type is priced there)"
        if result.skipped_regions
        else ""
    )
    typer.echo(
        f"{len(result.priced)} hosting prices from the price list ({', '.join(regions)}; published "
        f"{result.publication or 'unknown'}), {len(result.changed)} changed{skipped}; "
        f"wrote {out / 'prices.csv'}"
    )
