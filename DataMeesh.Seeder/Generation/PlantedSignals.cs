namespace DataMeesh.Seeder.Generation;

/// <summary>
/// The structure that blocks after the first (every <c>--scale</c> ≥ 2 row beyond the reference sample) carry for a data
/// scientist to find: each effect is planted here, with noise, and documented in the README ("What a larger scale holds").
/// Block 0 stays the reference sample exactly and uses none of it.
/// </summary>
internal static class PlantedSignals
{
    /// <summary>Lead sources and how often each one's leads convert (the block's 6-in-15 conversions are fixed; the source
    /// is drawn given the outcome, so these rates hold over many blocks). Index 0-3 are campaign channels, 4 is Direct.</summary>
    public static readonly string[] Sources = ["LinkedIn", "Google Ads", "Email", "Facebook", "Direct"];

    private static readonly double[] SourceShare = [0.20, 0.25, 0.20, 0.20, 0.15];
    private static readonly double[] SourceConversion = [0.55, 0.45, 0.40, 0.20, 0.35];

    /// <summary>Lead score: converted leads average 66, others by status, all with a spread of 14, so a score model is
    /// useful (AUC about 0.8) and far from perfect.</summary>
    public const double ScoreSpread = 14;

    /// <summary>Share of orders that end up cancelled (excluded from revenue by the views).</summary>
    public const double CancelledShare = 0.10;

    /// <summary>Share of orders (other than repeat accounts') pulled into the last ten days of their calendar quarter (sales closing the quarter).</summary>
    public const double QuarterEndPush = 0.5;

    /// <summary>Mean extra units per order line: 0.5 without discount, +0.1 per discount percent (15 % → 2 extra units).</summary>
    public static double ExtraUnits(decimal discountPercent) => 0.5 + 0.1 * (double)discountPercent;

    /// <summary>Traffic grows by this factor from the first day of the period to the last.</summary>
    public const double TrafficGrowth = 1.8;

    /// <summary>One page-day per block: eight times the page's mean visitors, nearly all bouncing (a bot wave to detect).</summary>
    public const int AnomalyVisitorFactor = 8;

    /// <summary>Orders per repeat account: the block's account orders (customers who came without a lead) go to three
    /// accounts; one of them churns.</summary>
    private static readonly int[] RepeatAccountOrders = [4, 3, 3];

    /// <summary>A churning account's gaps between orders grow by this factor each time, and its last order is at least
    /// this many days before --as-of.</summary>
    public const double ChurnGapGrowth = 1.8;

    public const int ChurnedSilentDays = 75;

    /// <summary>
    /// Who places each of the block's account orders, and on which day (relative to --as-of, before the block's shift):
    /// the two retained accounts order evenly across the period up to the last days; the churning one orders ever less
    /// often and then stops. <c>null</c> for orders of converted leads' customers, which keep their reference timing.
    /// </summary>
    public static (int CustomerIndex, int Day)?[] AccountOrders(SampleRandom random)
    {
        var plan = new (int CustomerIndex, int Day)?[ReferenceSample.Orders.Length];
        var accountOrders = Enumerable.Range(0, plan.Length).Where(k => ReferenceSample.Orders[k].CustomerIndex >= ReferenceSample.ConvertedProspects).ToArray();
        var churner = random.Next(0, RepeatAccountOrders.Length);
        var next = 0;
        for (var a = 0; a < RepeatAccountOrders.Length; a++)
        {
            var count = RepeatAccountOrders[a];
            var days = new int[count];
            if (a == churner)
            {
                var gap = random.NextDouble(12, 18);
                days[count - 1] = -ChurnedSilentDays - 5 - random.Next(0, 26);
                for (var i = count - 2; i >= 0; i--)
                {
                    days[i] = days[i + 1] - (int)Math.Round(gap * Math.Pow(ChurnGapGrowth, i));
                }
            }
            else
            {
                var first = -165 + random.Next(0, 21);
                var last = -3 - random.Next(0, 16);
                for (var i = 0; i < count; i++)
                {
                    days[i] = first + (int)Math.Round((double)(last - first) * i / (count - 1));
                }
            }

            for (var i = 0; i < count && next < accountOrders.Length; i++)
            {
                plan[accountOrders[next++]] = (ReferenceSample.ConvertedProspects + a, days[i]);
            }
        }

        return plan;
    }

    public static int LeadScore(ref SampleRandom random, bool converted, string status)
    {
        var mean = converted ? 66 : status switch { "Qualified" => 56, "Nurturing" => 50, _ => 40 };
        return (int)Math.Clamp(Math.Round(mean + ScoreSpread * random.NextGaussian()), 1, 99);
    }

    /// <summary>The lead's source, given whether it converts (Bayes on <see cref="SourceConversion"/>), among the sources
    /// that had a campaign running on the day the lead was created (Direct always).</summary>
    public static int Source(ref SampleRandom random, bool converted, Func<int, bool> available)
    {
        var weights = new double[Sources.Length];
        for (var s = 0; s < Sources.Length; s++)
        {
            var conversion = converted ? SourceConversion[s] : 1 - SourceConversion[s];
            weights[s] = available(s) ? SourceShare[s] * conversion : 0;
        }

        return random.PickWeighted(weights);
    }

    /// <summary>The day moved off a weekend (B2B orders are placed on working days), within [earliest, latest].</summary>
    public static int Weekday(DateOnly asOf, int day, int earliest, int latest)
    {
        var (back, forward) = asOf.AddDays(day).DayOfWeek switch
        {
            DayOfWeek.Saturday => (1, 2),
            DayOfWeek.Sunday => (2, 1),
            _ => (0, 0),
        };
        return back == 0 ? day : day - back >= earliest ? day - back : day + forward <= latest ? day + forward : day;
    }

    /// <summary>A day among the last ten of the quarter <paramref name="day"/> falls in, or <paramref name="day"/> when
    /// that lies outside [earliest, latest] (a quarter that has not ended yet, a customer created later).</summary>
    public static int QuarterEnd(ref SampleRandom random, DateOnly asOf, int day, int earliest, int latest)
    {
        var date = asOf.AddDays(day);
        var quarterEnd = new DateOnly(date.Year, (date.Month - 1) / 3 * 3 + 3, 1).AddMonths(1).AddDays(-1);
        var moved = quarterEnd.AddDays(-random.Next(0, 10)).DayNumber - asOf.DayNumber;
        return moved >= earliest && moved <= latest ? moved : day;
    }
}
