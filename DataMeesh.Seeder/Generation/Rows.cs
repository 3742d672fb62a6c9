namespace DataMeesh.Seeder.Generation;

// One record per row the seeder writes; property order is the column order of the COPY.

internal sealed record Customer(long CustomerId, string CustomerName, string Email, string Phone, string Country, string Industry,
    string CompanySize, DateTime CreatedAt, DateTime UpdatedAt);

internal sealed record Product(long ProductId, string ProductName, string Category, decimal Price, decimal Cost, string Description);

internal sealed record Order(long OrderId, long CustomerId, DateTime OrderDate, string OrderStatus, decimal TotalAmount,
    string PaymentMethod, string SalesRep, string Region);

internal readonly record struct OrderItem(long ItemId, long OrderId, long ProductId, int Quantity, decimal UnitPrice,
    decimal DiscountPercent, decimal LineTotal)
{
    /// <summary>The same rounding the schema's CHECK applies (PostgreSQL rounds numeric half away from zero).</summary>
    public static decimal ComputeLineTotal(int quantity, decimal unitPrice, decimal discountPercent) =>
        Math.Round(quantity * unitPrice * (100 - discountPercent) / 100, 2, MidpointRounding.AwayFromZero);
}

internal sealed record Campaign(long CampaignId, string CampaignName, string CampaignType, string Channel, DateOnly StartDate,
    DateOnly EndDate, decimal Budget, decimal Spent, string Status, string TargetAudience);

internal sealed record Lead(long LeadId, string FirstName, string LastName, string Email, string Company, string JobTitle,
    string Country, string LeadSource, int LeadScore, string Status, long? CampaignId, DateTime CreatedAt, DateTime? ConvertedAt);

internal readonly record struct CampaignMetric(long CampaignId, DateOnly MetricDate, long Impressions, long Clicks, long Conversions,
    decimal CostPerClick, decimal ConversionRate);

internal readonly record struct WebsiteTraffic(DateOnly VisitDate, string PageUrl, string Source, int Visitors, int PageViews,
    decimal BounceRate, decimal AvgTimeOnPage);
