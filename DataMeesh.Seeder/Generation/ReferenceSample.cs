namespace DataMeesh.Seeder.Generation;

// Day numbers are offsets from the --as-of date (negative = in the past), so the sample always looks current.

internal sealed record CampaignTemplate(string Name, string Type, string Channel, int StartDay, int EndDay, decimal Budget,
    decimal Spent, string Status, string TargetAudience);

/// <summary>A lead. Converted prospects become the first customers of the block, under the same email.</summary>
internal sealed record ProspectTemplate(string FirstName, string LastName, string Company, string EmailDomain, string JobTitle,
    string Country, int? CampaignIndex, int CreatedDay, string Status, int Score, int? ConvertedDay = null);

/// <summary>A customer that did not come through marketing (no lead).</summary>
internal sealed record AccountTemplate(string Name, string Email, string Country, string Industry, string CompanySize, int CreatedDay);

internal sealed record OrderLineTemplate(int ProductIndex, int Quantity, decimal DiscountPercent);

internal sealed record OrderTemplate(int CustomerIndex, int Day, string Status, string PaymentMethod, OrderLineTemplate[] Lines);

/// <summary>
/// The reference sample: what <c>--scale 1</c> loads, exactly. Every block of a larger scale repeats its shape
/// (same counts, statuses, conversions and timing) with generated people, companies, products and amounts.
/// </summary>
internal static class ReferenceSample
{
    public static readonly Product[] Products =
    [
        new(1, "DataMeesh Analytics Platform", "Software", 48_000.00m, 19_200.00m, "Self-service analytics with governed semantic models."),
        new(2, "Data Integration Suite", "Software", 28_500.00m, 11_400.00m, "Batch and streaming ingestion with 200 connectors."),
        new(3, "BI Dashboard Studio", "Software", 15_000.00m, 5_250.00m, "Interactive dashboards and scheduled reports."),
        new(4, "ML Model Workbench", "Software", 36_000.00m, 14_400.00m, "Feature store, experiment tracking and model serving."),
        new(5, "API Gateway Enterprise", "Software", 22_000.00m, 8_800.00m, "Managed API gateway with rate limiting and auth."),
        new(6, "Managed Kubernetes Cluster", "Infrastructure", 42_000.00m, 29_400.00m, "Three-node production cluster, one year."),
        new(7, "Object Storage Appliance", "Infrastructure", 50_000.00m, 35_000.00m, "100 TB S3-compatible storage appliance."),
        new(8, "Edge Compute Node", "Infrastructure", 8_500.00m, 5_950.00m, "Ruggedised compute node for edge sites."),
        new(9, "Backup & Recovery Vault", "Infrastructure", 12_000.00m, 7_200.00m, "Immutable backups with point-in-time recovery."),
        new(10, "Network Security Gateway", "Infrastructure", 18_500.00m, 11_100.00m, "Next-generation firewall and VPN concentrator."),
    ];

    public static readonly CampaignTemplate[] Campaigns =
    [
        new("Data Platform Launch 2026", "Product Launch", "LinkedIn", -210, -150, 120_000m, 118_450.00m, "Completed", "CTOs and data leaders at enterprises"),
        new("Search Ads: Analytics Software", "PPC", "Google Ads", -180, 30, 90_000m, 71_230.50m, "Active", "IT buyers searching for analytics tools"),
        new("Enterprise Lead Gen Q2", "Lead Gen", "LinkedIn", -170, -110, 80_000m, 79_100.00m, "Completed", "VPs and directors in finance and healthcare"),
        new("Analytics Webinar Series", "Webinar", "Email", -150, -60, 45_000m, 41_870.25m, "Completed", "Newsletter subscribers"),
        new("Cloud Infrastructure Launch", "Product Launch", "Google Ads", -120, 45, 75_000m, 52_400.00m, "Active", "Platform engineering teams"),
        new("Retargeting: Trial Users", "PPC", "Facebook", -90, 60, 35_000m, 21_650.75m, "Active", "Visitors who started a trial"),
        new("Healthcare Data Webinar", "Webinar", "Facebook", -75, -15, 35_000m, 33_980.00m, "Completed", "Healthcare IT managers"),
        new("CFO Nurture Program", "Lead Gen", "Email", -60, 90, 25_000m, 9_875.50m, "Active", "Finance executives"),
    ];

    /// <summary>The first <see cref="ConvertedProspects"/> prospects converted: they are customers 1-6.</summary>
    public static readonly ProspectTemplate[] Prospects =
    [
        new("Sarah", "Chen", "Acme Corporation", "acme-corp.com", "CTO", "USA", 0, -205, "Converted", 92, -175),
        new("James", "Whitfield", "Northwind Financial", "northwind-financial.co.uk", "CIO", "UK", 1, -175, "Converted", 88, -160),
        new("Lukas", "Weber", "Bergmann Medizintechnik", "bergmann-medtech.de", "VP Engineering", "Germany", 2, -160, "Converted", 85, -135),
        new("Camille", "Laurent", "Maison Lumiere Retail", "maisonlumiere.fr", "Head of Data", "France", 3, -140, "Converted", 81, -115),
        new("Olivia", "Brown", "Harbour Bridge Capital", "harbourbridge.com.au", "CFO", "Australia", 4, -110, "Converted", 90, -85),
        new("Ethan", "Tremblay", "Maple Leaf Health", "mapleleafhealth.ca", "Director of IT", "Canada", null, -80, "Converted", 78, -60),
        new("Michael", "Rossi", "Lakeside Insurance", "lakeside-insurance.com", "VP Data", "USA", 5, -85, "Nurturing", 55),
        new("Emma", "Wilson", "Kensington Clinics", "kensingtonclinics.co.uk", "CIO", "UK", 6, -60, "Qualified", 74),
        new("Hannah", "Fischer", "Alpenbank", "alpenbank.de", "Head of Analytics", "Germany", 7, -40, "New", 35),
        new("Noah", "Martin", "Pixel Commerce", "pixelcommerce.fr", "CTO", "France", 1, -30, "Qualified", 81),
        new("Daniel", "Murphy", "Coastal Freight", "coastalfreight.com", "VP Engineering", "USA", 0, -200, "Nurturing", 48),
        new("Chloe", "Taylor", "Sunrise Retail", "sunriseretail.com.au", "Director of IT", "Australia", null, -15, "New", 22),
        new("Liam", "Roy", "Northern Lights Bank", "northernlightsbank.ca", "CIO", "Canada", 4, -20, "New", 41),
        new("Sophia", "Garcia", "Summit Health Partners", "summithealth.com", "Data Science Lead", "USA", 3, -130, "Nurturing", 58),
        new("Oliver", "Smith", "Thameside Retail", "thamesideretail.co.uk", "CTO", "UK", 2, -150, "Qualified", 77),
    ];

    public const int ConvertedProspects = 6;

    /// <summary>Industry and size of the converted prospects' companies, in prospect order.</summary>
    public static readonly (string Industry, string CompanySize)[] ConvertedCompanyProfiles =
    [
        ("Technology", "Enterprise"), ("Finance", "Enterprise"), ("Healthcare", "Mid-Market"),
        ("Retail", "Mid-Market"), ("Finance", "Mid-Market"), ("Healthcare", "Small"),
    ];

    /// <summary>Customers 7-15.</summary>
    public static readonly AccountTemplate[] Accounts =
    [
        new("Globex Retail Group", "procurement@globex-retail.com", "USA", "Retail", "Enterprise", -420),
        new("Thames Data Systems", "it.purchasing@thamesdata.co.uk", "UK", "Technology", "Small", -390),
        new("Initech Financial Services", "vendor.management@initech-fs.com", "USA", "Finance", "Enterprise", -365),
        new("Rhein Klinikum Verbund", "einkauf@rheinklinikum.de", "Germany", "Healthcare", "Enterprise", -340),
        new("Boutique Parisienne", "achats@boutiqueparisienne.fr", "France", "Retail", "Small", -300),
        new("Outback Tech Solutions", "hello@outbacktech.com.au", "Australia", "Technology", "Small", -280),
        new("Great Lakes Outfitters", "orders@greatlakesoutfitters.ca", "Canada", "Retail", "Mid-Market", -260),
        new("Pacific Crest Bank", "procurement@pacificcrestbank.com", "USA", "Finance", "Mid-Market", -230),
        new("Helix Biotech", "purchasing@helixbiotech.com", "USA", "Healthcare", "Mid-Market", -210),
    ];

    /// <summary>Customer index 0-14 (0-5: the converted prospects, 6-14: the accounts).</summary>
    public static readonly OrderTemplate[] Orders =
    [
        new(0, -158, "Completed", "Wire Transfer", [new(0, 1, 10m), new(2, 2, 0m)]),
        new(0, -95, "Completed", "Invoice", [new(3, 1, 5m)]),
        new(0, -20, "Processing", "Credit Card", [new(8, 2, 0m)]),
        new(1, -150, "Completed", "Wire Transfer", [new(6, 1, 5m), new(8, 1, 0m)]),
        new(1, -60, "Completed", "Purchase Order", [new(1, 1, 0m), new(4, 1, 10m)]),
        new(2, -120, "Completed", "Wire Transfer", [new(5, 3, 15m)]),
        new(2, -12, "Pending", "Invoice", [new(7, 3, 0m)]),
        new(3, -100, "Completed", "Credit Card", [new(2, 1, 0m), new(9, 1, 5m)]),
        new(4, -70, "Processing", "Wire Transfer", [new(0, 1, 0m), new(1, 1, 10m)]),
        new(5, -45, "Completed", "Purchase Order", [new(5, 1, 5m), new(7, 2, 0m)]),
        new(6, -165, "Completed", "Wire Transfer", [new(6, 3, 10m)]),
        new(6, -30, "Processing", "Invoice", [new(3, 1, 0m), new(2, 1, 0m)]),
        new(7, -140, "Completed", "Credit Card", [new(4, 2, 5m)]),
        new(8, -110, "Completed", "Wire Transfer", [new(0, 2, 15m), new(9, 1, 0m)]),
        new(9, -85, "Completed", "Purchase Order", [new(5, 1, 0m), new(8, 1, 10m)]),
        new(10, -75, "Processing", "Wire Transfer", [new(1, 2, 5m)]),
        new(11, -50, "Completed", "Credit Card", [new(7, 2, 0m), new(2, 1, 5m)]),
        new(12, -35, "Pending", "Invoice", [new(6, 1, 0m), new(9, 1, 5m)]),
        new(13, -25, "Processing", "Wire Transfer", [new(0, 1, 10m), new(3, 1, 10m), new(5, 1, 0m)]),
        new(14, -5, "Pending", "Purchase Order", [new(4, 1, 0m), new(8, 1, 0m)]),
    ];

    /// <summary>Four pages tracked daily; each day's visits to a page are attributed to one traffic source.</summary>
    public static readonly string[] TrackedPages = ["/", "/pricing", "/product/analytics-platform", "/blog/data-mesh-in-practice"];

    public static readonly string[] TrafficSources = ["Organic Search", "Google Ads", "Facebook", "LinkedIn", "Email", "Direct", "Referral"];

    public static int CustomerCount => ConvertedProspects + Accounts.Length;

    public static int OrderItemCount { get; } = Orders.Sum(o => o.Lines.Length);
}
