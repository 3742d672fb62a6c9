namespace DataMeesh.Seeder.Generation;

/// <summary>
/// Produces the sample one block at a time. Block 0 is the reference sample; block b ≥ 1 repeats its shape with people,
/// companies, products and amounts drawn from a random stream of its own, so any block can be generated independently
/// and the same (seed, as-of, block) always gives the same rows. IDs are dense: block b owns a fixed ID range per table.
/// </summary>
internal sealed class SampleGenerator(long seed, DateOnly asOf)
{
    public static int CustomersPerBlock => ReferenceSample.CustomerCount;
    public static int OrdersPerBlock => ReferenceSample.Orders.Length;
    public static int ItemsPerBlock => ReferenceSample.OrderItemCount;
    public static int CampaignsPerBlock => ReferenceSample.Campaigns.Length;
    public static int LeadsPerBlock => ReferenceSample.Prospects.Length;

    private static readonly decimal[] Discounts = [0m, 0m, 0m, 5m, 10m, 15m];

    private readonly DateTime asOfMidnight = asOf.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);

    public DateOnly AsOf => asOf;

    public static IReadOnlyList<Product> Products => ReferenceSample.Products;

    public IEnumerable<Customer> Customers(long block)
    {
        var people = People(block);
        var shift = Shift(block);
        for (var i = 0; i < ReferenceSample.ConvertedProspects; i++)
        {
            var person = people.Prospects[i];
            var createdAt = ConversionTime(block, i, shift);
            yield return new Customer(CustomerId(block, i), person.Company, person.Email, NamePools.Phone(person.Country, block * 100 + i),
                person.Country, person.Industry, person.CompanySize, createdAt, UpdatedAt(createdAt));
        }

        for (var j = 0; j < people.Accounts.Length; j++)
        {
            var account = people.Accounts[j];
            var index = ReferenceSample.ConvertedProspects + j;
            var createdAt = At(ReferenceSample.Accounts[j].CreatedDay - shift, 9 + j % 8);
            yield return new Customer(CustomerId(block, index), account.Name, account.Email, NamePools.Phone(account.Country, block * 100 + index),
                account.Country, account.Industry, account.CompanySize, createdAt, UpdatedAt(createdAt));
        }
    }

    /// <summary>Orders with their items; the order total is the sum of its line totals.</summary>
    public IEnumerable<(Order Order, OrderItem[] Items)> Orders(long block)
    {
        var customers = Customers(block).ToArray();
        var random = new SampleRandom(seed, block, SampleRandom.Stream.Orders);
        var shift = Shift(block);
        var itemId = block * ItemsPerBlock;
        var accountOrders = block == 0 ? null : PlantedSignals.AccountOrders(new SampleRandom(seed, block, SampleRandom.Stream.Churn));
        for (var k = 0; k < ReferenceSample.Orders.Length; k++)
        {
            var template = ReferenceSample.Orders[k];
            var planned = accountOrders?[k];
            var customer = customers[planned?.CustomerIndex ?? template.CustomerIndex];
            var orderId = block * OrdersPerBlock + k + 1;

            var jitter = block == 0 ? 0 : random.Next(-3, 4);
            var earliestDay = (int)Math.Ceiling((customer.CreatedAt - asOfMidnight).TotalDays) + 1;
            var day = Math.Clamp((planned?.Day ?? template.Day + jitter) - shift, earliestDay, -1);
            var status = template.Status;
            if (block > 0)
            {
                // A repeat account's rhythm is the signal (PlantedSignals.AccountOrders): no quarter-end pull for it.
                if (planned is null && random.NextDouble() < PlantedSignals.QuarterEndPush)
                {
                    day = PlantedSignals.QuarterEnd(ref random, asOf, day, earliestDay, -1);
                }

                day = PlantedSignals.Weekday(asOf, day, earliestDay, -1);
                status = random.NextDouble() < PlantedSignals.CancelledShare ? "Cancelled" : status;
            }

            var orderDate = At(day, block == 0 ? 9 + k * 7 % 9 : random.Next(8, 18));

            var items = new OrderItem[template.Lines.Length];
            for (var l = 0; l < items.Length; l++)
            {
                var line = block == 0 ? template.Lines[l] : PlantedLine(ref random);
                var product = Products[line.ProductIndex];
                items[l] = new OrderItem(++itemId, orderId, product.ProductId, line.Quantity, product.Price, line.DiscountPercent,
                    OrderItem.ComputeLineTotal(line.Quantity, product.Price, line.DiscountPercent));
            }

            var region = NamePools.Region(customer.Country);
            var order = new Order(orderId, customer.CustomerId, orderDate, status, items.Sum(i => i.LineTotal),
                template.PaymentMethod, NamePools.SalesRep(region, k), region);
            yield return (order, items);
        }
    }

    /// <summary>A generated order line: the deeper the discount, the more units (<see cref="PlantedSignals.ExtraUnits"/>).</summary>
    private static OrderLineTemplate PlantedLine(ref SampleRandom random)
    {
        var product = random.Next(0, Products.Count);
        var discount = random.Pick(Discounts);
        return new OrderLineTemplate(product, 1 + Math.Min(5, random.NextPoisson(PlantedSignals.ExtraUnits(discount))), discount);
    }

    public IEnumerable<Campaign> Campaigns(long block)
    {
        var random = new SampleRandom(seed, block, SampleRandom.Stream.Campaigns);
        var shift = Shift(block);
        for (var c = 0; c < ReferenceSample.Campaigns.Length; c++)
        {
            var template = ReferenceSample.Campaigns[c];
            var start = asOf.AddDays(template.StartDay - shift);
            var end = asOf.AddDays(template.EndDay - shift);
            if (block == 0)
            {
                yield return new Campaign(c + 1, template.Name, template.Type, template.Channel, start, end, template.Budget,
                    template.Spent, template.Status, template.TargetAudience);
                continue;
            }

            var budget = Math.Round(template.Budget * (decimal)random.NextDouble(0.8, 1.2) / 1000m) * 1000m;
            var spentShare = template.Status == "Completed" ? random.NextDouble(0.9, 1.0) : random.NextDouble(0.25, 0.8);
            yield return new Campaign(block * CampaignsPerBlock + c + 1, $"{template.Name} #{block + 1}", template.Type, template.Channel,
                start, end, budget, Math.Round(budget * (decimal)spentShare, 2), template.Status, template.TargetAudience);
        }
    }

    public IEnumerable<Lead> Leads(long block)
    {
        var people = People(block);
        var random = new SampleRandom(seed, block, SampleRandom.Stream.Leads);
        var shift = Shift(block);
        for (var i = 0; i < ReferenceSample.Prospects.Length; i++)
        {
            var template = ReferenceSample.Prospects[i];
            var person = people.Prospects[i];
            var (campaignIndex, source, score) = block == 0
                ? (template.CampaignIndex, template.CampaignIndex is { } index ? ReferenceSample.Campaigns[index].Channel : "Direct", template.Score)
                : PlantedLead(ref random, template);
            long? campaignId = campaignIndex is { } c ? block * CampaignsPerBlock + c + 1 : null;
            DateTime? convertedAt = template.ConvertedDay is null ? null : ConversionTime(block, i, shift);
            yield return new Lead(block * LeadsPerBlock + i + 1, person.FirstName, person.LastName, person.Email, person.Company,
                person.JobTitle, person.Country, source, score, template.Status, campaignId, At(template.CreatedDay - shift, 9 + i % 8),
                convertedAt);
        }
    }

    /// <summary>
    /// A generated lead's source, campaign and score: the source drawn given whether the lead converts, among the channels
    /// with a campaign running on the day it was created (so a lead never predates its campaign), and a noisy score.
    /// </summary>
    private static (int? CampaignIndex, string Source, int Score) PlantedLead(ref SampleRandom random, ProspectTemplate template)
    {
        var converted = template.ConvertedDay is not null;
        int[] Running(string channel) => [.. Enumerable.Range(0, ReferenceSample.Campaigns.Length).Where(c =>
            ReferenceSample.Campaigns[c].Channel == channel
            && ReferenceSample.Campaigns[c].StartDay <= template.CreatedDay && template.CreatedDay <= ReferenceSample.Campaigns[c].EndDay)];
        var source = PlantedSignals.Sources[PlantedSignals.Source(ref random, converted,
            s => PlantedSignals.Sources[s] == "Direct" || Running(PlantedSignals.Sources[s]).Length > 0)];
        int? campaign = source == "Direct" ? null : random.Pick(Running(source));
        return (campaign, source, PlantedSignals.LeadScore(ref random, converted, template.Status));
    }

    /// <summary>One row per campaign and day, from the campaign's start to the day before --as-of (or its end).</summary>
    public IEnumerable<CampaignMetric> Metrics(long block)
    {
        var random = new SampleRandom(seed, block, SampleRandom.Stream.Metrics);
        var yesterday = asOf.AddDays(-1);
        foreach (var campaign in Campaigns(block))
        {
            var profile = ChannelProfile.For(campaign.Channel);
            var last = campaign.EndDate < yesterday ? campaign.EndDate : yesterday;
            for (var day = campaign.StartDate; day <= last; day = day.AddDays(1))
            {
                var weekday = day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? 0.6 : 1.0;
                var impressions = (long)(random.NextDouble(profile.MinImpressions, profile.MaxImpressions) * weekday);
                var clicks = (long)(impressions * random.NextDouble(profile.MinClickRate, profile.MaxClickRate));
                var conversions = (long)(clicks * random.NextDouble(0.02, 0.08));
                var costPerClick = Math.Round((decimal)random.NextDouble(profile.MinCostPerClick, profile.MaxCostPerClick), 2);
                var conversionRate = clicks == 0 ? 0m : Math.Round(100m * conversions / clicks, 2);
                yield return new CampaignMetric(campaign.CampaignId, day, impressions, clicks, conversions, costPerClick, conversionRate);
            }
        }
    }

    /// <summary>Daily visits to the block's tracked pages over its campaigns' period; each page-day has one source.</summary>
    public IEnumerable<WebsiteTraffic> Traffic(long block)
    {
        var random = new SampleRandom(seed, block, SampleRandom.Stream.Traffic);
        var pages = block == 0
            ? ReferenceSample.TrackedPages
            : NamePools.PageSections.Select(section => $"/{section}/{random.Pick(NamePools.PageTopics)}-{block}").ToArray();
        var first = asOf.AddDays(ReferenceSample.Campaigns.Min(c => c.StartDay) - Shift(block));
        var days = asOf.DayNumber - first.DayNumber;
        var anomaly = block == 0 ? (DateOnly?)null : first.AddDays(random.Next(0, days));
        for (var day = first; day < asOf; day = day.AddDays(1))
        {
            var weekday = day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? 0.55 : 1.0;
            // Block 0 keeps the reference figures; later blocks grow over the period (PlantedSignals.TrafficGrowth).
            var trend = block == 0 ? 1.0 : 1 + (PlantedSignals.TrafficGrowth - 1) * (day.DayNumber - first.DayNumber) / days;
            for (var p = 0; p < pages.Length; p++)
            {
                var visitors = (int)(random.NextDouble(80, 900) * weekday * trend / (p + 1));
                var pageViews = (int)(visitors * random.NextDouble(1.1, 2.8));
                var source = random.Pick(ReferenceSample.TrafficSources);
                var bounceRate = Math.Round((decimal)random.NextDouble(22, 68), 2);
                var timeOnPage = Math.Round((decimal)random.NextDouble(25, 240), 2);
                if (day == anomaly && p == 0)
                {
                    visitors = (int)(PlantedSignals.AnomalyVisitorFactor * (80 + 900) / 2.0 * weekday * trend); // 8 × the page's mean
                    pageViews = visitors + visitors / 20;
                    bounceRate = Math.Round((decimal)random.NextDouble(88, 97), 2);
                    timeOnPage = Math.Round((decimal)random.NextDouble(1, 6), 2);
                }

                yield return new WebsiteTraffic(day, pages[p], source, visitors, pageViews, bounceRate, timeOnPage);
            }
        }
    }

    public static long CustomerId(long block, int index) => block * CustomersPerBlock + index + 1;

    /// <summary>When prospect <paramref name="index"/> converted: the lead's converted_at and the customer's created_at.</summary>
    private DateTime ConversionTime(long block, int index, int shift) =>
        At(ReferenceSample.Prospects[index].ConvertedDay!.Value - shift, 14 + index % 3);

    private DateTime UpdatedAt(DateTime createdAt)
    {
        var updated = createdAt.AddDays(30);
        return updated < asOfMidnight ? updated : asOfMidnight.AddHours(-1);
    }

    private DateTime At(int day, int hour) => asOfMidnight.AddDays(day).AddHours(hour);

    /// <summary>Blocks after the first are moved up to two weeks into the past, so they do not all share the same days.</summary>
    private int Shift(long block) => block == 0 ? 0 : new SampleRandom(seed, block, SampleRandom.Stream.Shift).Next(0, 16);

    private BlockPeople People(long block)
    {
        if (block == 0)
        {
            return BlockPeople.Reference;
        }

        var random = new SampleRandom(seed, block, SampleRandom.Stream.People);
        var prospects = new Person[ReferenceSample.Prospects.Length];
        for (var i = 0; i < prospects.Length; i++)
        {
            var first = random.Pick(NamePools.FirstNames);
            var last = random.Pick(NamePools.LastNames);
            var (name, domain, country, industry) = Company(ref random);
            var email = $"{first}.{last}.{block * 100 + i}@{domain}".ToLowerInvariant();
            prospects[i] = new Person(first, last, email, name, random.Pick(NamePools.JobTitles), country, industry,
                random.Pick(NamePools.CompanySizes));
        }

        var accounts = new Account[ReferenceSample.Accounts.Length];
        for (var j = 0; j < accounts.Length; j++)
        {
            var (name, domain, country, industry) = Company(ref random);
            accounts[j] = new Account(name, $"procurement.{block * 100 + j}@{domain}", country, industry, random.Pick(NamePools.CompanySizes));
        }

        return new BlockPeople(prospects, accounts);
    }

    private static (string Name, string Domain, string Country, string Industry) Company(ref SampleRandom random)
    {
        var stem = random.Pick(NamePools.CompanyStems);
        var (industry, suffixes) = random.Pick(NamePools.Industries);
        var suffix = random.Pick(suffixes);
        var (country, topLevelDomain, _) = random.Pick(NamePools.Countries);
        return ($"{stem} {suffix}", $"{stem}{suffix}.{topLevelDomain}".ToLowerInvariant(), country, industry);
    }

    private sealed record Person(string FirstName, string LastName, string Email, string Company, string JobTitle, string Country,
        string Industry, string CompanySize);

    private sealed record Account(string Name, string Email, string Country, string Industry, string CompanySize);

    private sealed record BlockPeople(Person[] Prospects, Account[] Accounts)
    {
        public static readonly BlockPeople Reference = new(
            [.. ReferenceSample.Prospects.Select((p, i) => new Person(p.FirstName, p.LastName,
                $"{p.FirstName}.{p.LastName}@{p.EmailDomain}".ToLowerInvariant(), p.Company, p.JobTitle, p.Country,
                i < ReferenceSample.ConvertedProspects ? ReferenceSample.ConvertedCompanyProfiles[i].Industry : "",
                i < ReferenceSample.ConvertedProspects ? ReferenceSample.ConvertedCompanyProfiles[i].CompanySize : ""))],
            [.. ReferenceSample.Accounts.Select(a => new Account(a.Name, a.Email, a.Country, a.Industry, a.CompanySize))]);
    }

    private sealed record ChannelProfile(double MinImpressions, double MaxImpressions, double MinClickRate, double MaxClickRate,
        double MinCostPerClick, double MaxCostPerClick)
    {
        private static readonly ChannelProfile LinkedIn = new(6_000, 14_000, 0.005, 0.009, 5.0, 9.0);
        private static readonly ChannelProfile GoogleAds = new(10_000, 25_000, 0.02, 0.04, 2.0, 5.0);
        private static readonly ChannelProfile Email = new(3_000, 6_000, 0.02, 0.05, 0.2, 0.6);
        private static readonly ChannelProfile Facebook = new(15_000, 30_000, 0.008, 0.015, 0.8, 1.8);
        private static readonly ChannelProfile Other = new(1_000, 4_000, 0.01, 0.03, 1.0, 3.0);

        public static ChannelProfile For(string channel) => channel switch
        {
            "LinkedIn" => LinkedIn,
            "Google Ads" => GoogleAds,
            "Email" => Email,
            "Facebook" => Facebook,
            _ => Other,
        };
    }
}
