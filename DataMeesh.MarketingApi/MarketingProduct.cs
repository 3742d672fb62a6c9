using DataMeesh.DataProducts.Catalog;
using static DataMeesh.DataProducts.Catalog.QualityRule;

namespace DataMeesh.MarketingApi;

/// <summary>What the marketing team publishes. Types, keys and nullability come from the live schema; this adds the meaning.</summary>
public static class MarketingProduct
{
    private static readonly string[] LeadStatuses = ["New", "Nurturing", "Qualified", "Converted", "Disqualified"];

    public static readonly DataProductDefinition Definition = new()
    {
        Domain = ResourceNames.MarketingDatabase,
        Title = "Marketing",
        Description = "Campaigns with budget and spend, the leads they bring, daily campaign metrics and website traffic.",
        Owner = new ProductOwner("Growth Marketing", "marketing-data@datameesh.example"),
        UpdateFrequency = "daily (metrics and traffic); continuously (leads)",
        Classification = "confidential",
        Datasets =
        [
            new DatasetDefinition("campaigns", "Marketing campaigns with channel, dates, budget and spend.")
            {
                Columns =
                [
                    new("campaign_id", "Campaign identifier.", Filter: true, Sort: true),
                    new("campaign_name", "Campaign name (unique).", Filter: true, Sort: true),
                    new("campaign_type", "Product Launch, Webinar, Lead Gen, PPC, Content, Event or Retargeting.", Filter: true),
                    new("channel", "LinkedIn, Google Ads, Email, Facebook, Events or Content.", Filter: true, Sort: true),
                    new("start_date", "First day of the campaign.", Filter: true, Sort: true),
                    new("end_date", "Last day of the campaign (open-ended when empty)."),
                    new("budget", "Budget in USD.", Filter: true, Sort: true),
                    new("spent", "Spend so far in USD.", Filter: true, Sort: true),
                    new("status", "Planned, Active, Paused or Completed.", Filter: true),
                    new("target_audience", "Who the campaign addresses."),
                ],
                Quality =
                [
                    AcceptedValues("channel", "LinkedIn", "Google Ads", "Email", "Facebook", "Events", "Content"),
                    AcceptedValues("status", "Planned", "Active", "Paused", "Completed"),
                ],
            },
            new DatasetDefinition("leads", "People who showed interest, with source, score, status and conversion time.")
            {
                Columns =
                [
                    new("lead_id", "Lead identifier.", Filter: true, Sort: true),
                    new("first_name", "First name.", Pii: true),
                    new("last_name", "Last name.", Pii: true),
                    new("email", "E-mail (lower case; joins customers.email in sales).", Pii: true),
                    new("company", "Company the lead works for (a company's name: internal, like customers.customer_name in sales).", Filter: true),
                    new("job_title", "Job title."),
                    new("country", "Country.", Filter: true),
                    new("lead_source", "Google Ads, Facebook, Email, LinkedIn or Direct.", Filter: true),
                    new("source", "Same as lead_source (the name notebooks and models use).", Filter: true),
                    new("lead_score", "Score 0-100.", Filter: true, Sort: true),
                    new("status", "New, Nurturing, Qualified, Converted or Disqualified.", Filter: true),
                    new("campaign_id", "The campaign that brought the lead.", Filter: true),
                    new("created_at", "First contact.", Filter: true, Sort: true),
                    new("converted_at", "When the lead became a customer.", Filter: true, Sort: true),
                    new("email_hash", PiiPolicy.EmailHashDescription("customers.email_hash in sales"), Filter: true),
                ],
                Freshness = new FreshnessSla("created_at", TimeSpan.FromDays(30)),
                Quality =
                [
                    Unique("email"),
                    AcceptedValues("lead_source", "Google Ads", "Facebook", "Email", "LinkedIn", "Direct"),
                    AcceptedValues("status", LeadStatuses),
                    References("campaign_id", "campaigns", "campaign_id"),
                ],
            },
            new DatasetDefinition("campaign_metrics", "Daily impressions, clicks, conversions and cost per campaign.")
            {
                Columns =
                [
                    new("metric_id", "Metric row identifier.", Filter: true, Sort: true),
                    new("campaign_id", "The campaign measured.", Filter: true),
                    new("metric_date", "The day measured.", Filter: true, Sort: true),
                    new("impressions", "Ad impressions."),
                    new("clicks", "Clicks."),
                    new("conversions", "Conversions."),
                    new("cost_per_click", "Cost per click in USD."),
                    new("conversion_rate", "Conversions per click, percent."),
                ],
                Freshness = new FreshnessSla("metric_date", TimeSpan.FromDays(2)),
                Quality = [References("campaign_id", "campaigns", "campaign_id")],
            },
            new DatasetDefinition("website_traffic", "Daily visitors, page views and engagement per page and traffic source.")
            {
                Columns =
                [
                    new("traffic_id", "Traffic row identifier.", Filter: true, Sort: true),
                    new("visit_date", "The day measured.", Filter: true, Sort: true),
                    new("page_url", "Path of the page.", Filter: true),
                    new("source", "Organic Search, Google Ads, Facebook, LinkedIn, Email, Direct or Referral.", Filter: true),
                    new("visitors", "Unique visitors."),
                    new("page_views", "Page views."),
                    new("bounce_rate", "Bounce rate, percent."),
                    new("avg_time_on_page", "Average time on page, seconds."),
                ],
                Freshness = new FreshnessSla("visit_date", TimeSpan.FromDays(2)),
                Quality = [AcceptedValues("source", "Organic Search", "Google Ads", "Facebook", "LinkedIn", "Email", "Direct", "Referral")],
            },
            new DatasetDefinition("campaign_performance", "Budget utilisation and lead conversion per campaign.")
            {
                Key = ["campaign_id"],
                Columns =
                [
                    new("campaign_id", "Campaign identifier.", Filter: true, Sort: true),
                    new("campaign_name", "Campaign name."),
                    new("channel", "Channel.", Filter: true, Sort: true),
                    new("budget", "Budget in USD."),
                    new("spent", "Spend in USD."),
                    new("remaining_budget", "Budget minus spend in USD."),
                    new("budget_utilization_pct", "Spend as a percentage of budget.", Sort: true),
                    new("total_leads", "Leads the campaign brought.", Sort: true),
                    new("converted_leads", "Leads that converted.", Sort: true),
                    new("conversion_rate", "Converted leads per lead, percent.", Sort: true),
                ],
                Quality = [Unique("campaign_id")],
            },
            new DatasetDefinition("lead_funnel", "Leads per status, in funnel order, with average score.")
            {
                Key = ["status"],
                Columns =
                [
                    new("status", "Lead status.", Filter: true, Sort: true),
                    new("lead_count", "Leads in the status."),
                    new("avg_lead_score", "Average lead score."),
                    new("campaigns_contributing", "Distinct campaigns with leads in the status."),
                ],
                Quality = [AcceptedValues("status", LeadStatuses)],
            },
        ],
    };
}
