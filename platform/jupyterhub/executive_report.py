"""The executive report as a PDF: every KPI of Grafana's Executive Overview, the campaign ROI, revenue by cohort and the
churn risk, rendered with matplotlib from Trino on request (Emma's one click). Grafana OSS has no PDF export, so the
dashboard links here instead; both run the same statements (the *_SQL constants below are the dashboard's panel
queries, checked by DataMeesh.Tests), so the PDF prints the dashboard's numbers.

Served by dbt_docs_service.py at /reports/executive.pdf. It reads Trino as `grafana`, the dashboard's own read-only
identity, whatever account runs the service. `python executive_report.py OUT.pdf` writes one from the command line.
"""

import io
import os
import sys
from datetime import datetime, timezone

# The dashboard's identity in Trino (platform/trino/rules.json: read-only on sales, marketing and hive).
REPORT_TRINO_USER = "grafana"

REVENUE_SQL = "SELECT sum(total_revenue) AS revenue FROM sales.public.sales_summary"
ORDERS_SQL = "SELECT sum(order_count) AS orders FROM sales.public.sales_summary"
AVERAGE_ORDER_SQL = (
    "SELECT CAST(sum(total_revenue) / sum(order_count) AS decimal(14, 2)) AS average_order_value FROM sales.public.sales_summary"
)
CUSTOMERS_SQL = "SELECT count(*) AS customers FROM sales.public.customer_lifetime_value WHERE total_orders > 0"
LEADS_SQL = "SELECT sum(lead_count) AS leads FROM marketing.public.lead_funnel"
CONVERSION_SQL = (
    "SELECT CAST(100.0 * sum(CASE WHEN status = 'Converted' THEN lead_count ELSE 0 END) / sum(lead_count) AS decimal(5, 1))"
    " AS lead_conversion_pct FROM marketing.public.lead_funnel"
)
AD_SPEND_SQL = "SELECT sum(spent) AS ad_spend FROM marketing.public.campaigns"
RETURN_ON_AD_SPEND_SQL = (
    "SELECT CAST(sum(attributed_revenue) / nullif(sum(ad_spend), 0) AS decimal(12, 2)) AS revenue_per_ad_dollar"
    " FROM hive.analytics.mart_marketing__campaign_roi"
)
LATEST_ORDER_SQL = "SELECT CAST(max(order_date) AS date) AS latest_order FROM sales.public.orders"
MONTHLY_REVENUE_SQL = "SELECT CAST(month AS timestamp) AS time, total_revenue AS revenue FROM sales.public.sales_summary ORDER BY 1"
CAMPAIGN_ROI_SQL = """WITH ranked AS (
    SELECT campaign_name, attributed_revenue, ad_spend,
           row_number() OVER (ORDER BY attributed_revenue DESC, campaign_name) AS position
    FROM hive.analytics.mart_marketing__campaign_roi
),
labelled AS (
    SELECT CASE WHEN position <= 9 THEN campaign_name ELSE 'Other campaigns' END AS campaign,
           least(position, 10) AS position, attributed_revenue, ad_spend
    FROM ranked
)
SELECT campaign, CAST(sum(attributed_revenue) / nullif(sum(ad_spend), 0) AS decimal(12, 2)) AS revenue_per_ad_dollar
FROM labelled
GROUP BY campaign
ORDER BY min(position)"""
COHORT_REVENUE_SQL = """SELECT CAST(cohort_quarter AS varchar) AS cohort_quarter, sum(revenue) AS revenue
FROM hive.analytics.mart_finance__revenue_by_cohort
GROUP BY cohort_quarter
ORDER BY cohort_quarter"""
CHURN_RISK_SQL = """SELECT risk_band, count(*) AS accounts
FROM hive.sales.churn_predictions
WHERE scored_as_of = (SELECT max(scored_as_of) FROM hive.sales.churn_predictions)
GROUP BY risk_band
ORDER BY CASE risk_band WHEN 'High' THEN 1 WHEN 'Medium' THEN 2 ELSE 3 END"""

# The KPI tiles, in the dashboard's order: title, statement, how the value reads.
KPIS = [
    ("Revenue", REVENUE_SQL, "money"),
    ("Orders", ORDERS_SQL, "count"),
    ("Average order value", AVERAGE_ORDER_SQL, "money"),
    ("Customers with orders", CUSTOMERS_SQL, "count"),
    ("Leads", LEADS_SQL, "count"),
    ("Lead conversion", CONVERSION_SQL, "percent"),
    ("Ad spend", AD_SPEND_SQL, "money"),
    ("Revenue per ad dollar", RETURN_ON_AD_SPEND_SQL, "ratio"),
]

# Where each lake table comes from, for the note a page shows while it is missing.
BUILT_BY = {
    "mart_marketing__campaign_roi": "`dbt build` (hive.analytics)",
    "mart_finance__revenue_by_cohort": "`dbt build` (hive.analytics)",
    "churn_predictions": "notebook 05-churn-risk (hive.sales)",
}


def trino_connection():
    """Trino as the dashboard's read-only identity (TRINO_HOST, TRINO_PORT, optional TRINO_HTTP_SCHEME)."""
    import trino

    from datameesh import setting

    return trino.dbapi.connect(host=setting("TRINO_HOST"), port=int(setting("TRINO_PORT", "8080")), user=REPORT_TRINO_USER,
                               http_scheme=os.environ.get("TRINO_HTTP_SCHEME", "http"), source="datameesh-report")


def fetch(connection, sql):
    """(rows, None), or (None, the reason) when the statement fails: a missing mart must not cost the whole report."""
    cursor = connection.cursor()
    try:
        cursor.execute(sql)
        return cursor.fetchall(), None
    except Exception as error:  # Trino's errors have no common base class worth naming; the page says what failed
        missing = next((table for table in BUILT_BY if table in sql and table in str(error)), None)
        return None, (f"{missing} is not there yet: run {BUILT_BY[missing]}" if missing else f"query failed: {error}".splitlines()[0][:160])
    finally:
        cursor.close()


def collect(connection):
    """Every number the report prints, as {name: (rows, problem)}."""
    statements = {name: value for name, value in globals().items() if name.endswith("_SQL")}
    return {name: fetch(connection, sql) for name, sql in statements.items()}


def value_text(value, kind):
    from datameesh import format_money

    if value is None:
        return "no data"
    value = float(value)
    return {"money": format_money(value), "count": f"{value:,.0f}", "percent": f"{value:.1f} %", "ratio": f"${value:,.2f}"}[kind]


def shorten(label, width=34):
    """A label that fits the page's margin: long campaign names end in an ellipsis."""
    return label if len(label) <= width else label[:width - 1].rstrip() + "…"


def render(data, generated_at):
    """The PDF's bytes: page 1 the KPIs and monthly revenue, page 2 campaigns, cohorts and churn risk."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    from datameesh import money_axis

    names = {sql: name for name, sql in globals().items() if name.endswith("_SQL")}
    latest = data["LATEST_ORDER_SQL"][0]
    as_of = f"{latest[0][0]}" if latest and latest[0][0] is not None else "no orders yet"
    subtitle = f"Data up to {as_of} · generated {generated_at:%Y-%m-%d %H:%M} UTC from Trino"

    def note(axis, text):
        axis.axis("off")
        axis.text(0.5, 0.5, text, ha="center", va="center", fontsize=10, color="#777777", wrap=True)

    buffer = io.BytesIO()
    metadata = {"Title": "DataMeesh executive report", "Author": "DataMeesh", "Subject": subtitle}
    with PdfPages(buffer, metadata=metadata) as pdf:
        figure = plt.figure(figsize=(11.69, 8.27))  # A4 landscape
        figure.suptitle("DataMeesh executive report", x=0.06, ha="left", fontsize=20, fontweight="bold")
        figure.text(0.06, 0.905, subtitle, fontsize=10, color="#555555")
        grid = figure.add_gridspec(3, 4, left=0.06, right=0.96, top=0.86, bottom=0.08, hspace=0.45, wspace=0.15,
                                   height_ratios=[1, 1, 2.4])
        for index, (title, sql, kind) in enumerate(KPIS):
            axis = figure.add_subplot(grid[index // 4, index % 4])
            axis.set_xticks([])
            axis.set_yticks([])
            for side in axis.spines.values():
                side.set_color("#dddddd")
            rows, problem = data[names[sql]]
            axis.text(0.06, 0.72, title, fontsize=11, color="#555555", transform=axis.transAxes)
            if problem:
                axis.text(0.06, 0.25, problem, fontsize=7.5, color="#aa3333", transform=axis.transAxes, wrap=True)
            else:
                axis.text(0.06, 0.25, value_text(rows[0][0] if rows else None, kind), fontsize=22, fontweight="bold",
                          transform=axis.transAxes)
        monthly = figure.add_subplot(grid[2, :])
        rows, problem = data["MONTHLY_REVENUE_SQL"]
        if problem or not rows:
            note(monthly, problem or "no revenue yet")
        else:
            months = [row[0].strftime("%Y-%m") for row in rows]
            revenue = [float(row[1]) for row in rows]
            monthly.bar(months, revenue, color="#4c72b0")
            money_axis(monthly.yaxis)
            monthly.set_title("Revenue per month (cancelled orders excluded)", loc="left")
            monthly.tick_params(axis="x", labelrotation=45 if len(months) > 12 else 0)
        pdf.savefig(figure)
        plt.close(figure)

        figure = plt.figure(figsize=(11.69, 8.27))
        figure.suptitle("Campaigns, cohorts and churn risk", x=0.06, ha="left", fontsize=16, fontweight="bold")
        figure.text(0.06, 0.905, subtitle, fontsize=10, color="#555555")
        grid = figure.add_gridspec(2, 2, left=0.25, right=0.96, top=0.85, bottom=0.08, hspace=0.4, wspace=0.3,
                                   width_ratios=[1.2, 1])
        campaigns = figure.add_subplot(grid[:, 0])
        rows, problem = data["CAMPAIGN_ROI_SQL"]
        if problem or not rows:
            note(campaigns, problem or "no campaigns")
        else:
            labels = [shorten(row[0]) for row in rows][::-1]
            ratios = [None if row[1] is None else float(row[1]) for row in rows][::-1]
            bars = campaigns.barh(labels, [ratio or 0.0 for ratio in ratios],
                                  color=["#999999" if label == "Other campaigns" else "#55a868" for label in labels])
            campaigns.bar_label(bars, labels=["no spend" if ratio is None else f"${ratio:,.2f}" for ratio in ratios], padding=3, fontsize=8)
            campaigns.set_xlabel("attributed revenue per ad dollar")
            campaigns.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"${value:g}"))
            campaigns.set_title("Revenue per ad dollar: top 9 campaigns by revenue", loc="left")
            campaigns.margins(x=0.15)
        cohorts = figure.add_subplot(grid[0, 1])
        rows, problem = data["COHORT_REVENUE_SQL"]
        if problem or not rows:
            note(cohorts, problem or "no cohorts")
        else:
            quarters = [f"{row[0][:4]} Q{(int(row[0][5:7]) - 1) // 3 + 1}" for row in rows]
            cohorts.bar(quarters, [float(row[1]) for row in rows], color="#4c72b0")
            money_axis(cohorts.yaxis)
            cohorts.set_title("Revenue by quarter of first order", loc="left")
        churn = figure.add_subplot(grid[1, 1])
        rows, problem = data["CHURN_RISK_SQL"]
        if problem or not rows:
            note(churn, problem or "no predictions")
        else:
            colours = {"High": "#c44e52", "Medium": "#dd8452", "Low": "#55a868"}
            accounts = {band: 0 for band in colours} | {row[0]: int(row[1]) for row in rows}
            bars = churn.bar(list(accounts), list(accounts.values()), color=[colours.get(band, "#999999") for band in accounts])
            churn.bar_label(bars, padding=2, fontsize=8)
            churn.yaxis.set_major_locator(MaxNLocator(integer=True))
            churn.set_ylabel("repeat accounts")
            churn.set_title("Churn risk (latest scoring)", loc="left")
            churn.margins(y=0.15)
        pdf.savefig(figure)
        plt.close(figure)
    return buffer.getvalue()


def build(connection_factory=None, generated_at=None):
    """The report as PDF bytes, from Trino now; generated_at (default: now) is the time its subtitle states."""
    connection = (connection_factory or trino_connection)()
    try:
        data = collect(connection)
    finally:
        connection.close()
    return render(data, generated_at or datetime.now(timezone.utc))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: executive_report.py OUT.pdf")
    with open(sys.argv[1], "wb") as output:
        output.write(build())
    print(f"wrote {sys.argv[1]}")
