namespace DataMeesh.Seeder.Generation;

/// <summary>Vocabulary for generated blocks (ASCII only, so emails stay plain lower-case addresses).</summary>
internal static class NamePools
{
    public static readonly string[] FirstNames =
    [
        "Aiden", "Amelia", "Ava", "Benjamin", "Charlotte", "Chloe", "Daniel", "David", "Elena", "Emily", "Emma", "Ethan", "Felix",
        "Grace", "Hannah", "Henry", "Isabella", "Jack", "James", "Julia", "Leon", "Liam", "Lucas", "Lukas", "Maria", "Mason",
        "Mia", "Noah", "Olivia", "Oscar", "Paul", "Priya", "Rafael", "Sarah", "Sofia", "Sophie", "Thomas", "Victoria", "William", "Yuki",
    ];

    public static readonly string[] LastNames =
    [
        "Anderson", "Becker", "Bernard", "Brown", "Chen", "Clarke", "Dubois", "Evans", "Fischer", "Garcia", "Hall", "Hughes",
        "Johnson", "Kelly", "Khan", "Kim", "Laurent", "Lee", "Martin", "Meyer", "Miller", "Moreau", "Murphy", "Nguyen", "Patel",
        "Petit", "Roberts", "Robinson", "Rossi", "Schmidt", "Schneider", "Singh", "Smith", "Taylor", "Thomas", "Tremblay", "Walker",
        "Weber", "White", "Wilson",
    ];

    public static readonly string[] CompanyStems =
    [
        "Apex", "Arcadia", "Aurora", "Beacon", "Bluecrest", "Bright", "Cedar", "Clearwater", "Cobalt", "Crescent", "Evergreen",
        "Falcon", "Granite", "Harbor", "Horizon", "Ironwood", "Keystone", "Lakeshore", "Meridian", "Northstar", "Oakridge",
        "Pinnacle", "Quantum", "Redwood", "Riverside", "Sierra", "Silverline", "Summit", "Trident", "Vertex",
    ];

    public static readonly (string Industry, string[] Suffixes)[] Industries =
    [
        ("Technology", ["Software", "Systems", "Labs", "Digital"]),
        ("Finance", ["Capital", "Bank", "Financial", "Insurance"]),
        ("Healthcare", ["Health", "Clinics", "Medical", "Biotech"]),
        ("Retail", ["Retail", "Stores", "Outfitters", "Commerce"]),
    ];

    public static readonly (string Country, string TopLevelDomain, string Region)[] Countries =
    [
        ("USA", "com", "North America"), ("UK", "co.uk", "Europe"), ("Germany", "de", "Europe"),
        ("France", "fr", "Europe"), ("Australia", "com.au", "Asia Pacific"), ("Canada", "ca", "North America"),
    ];

    public static readonly string[] CompanySizes = ["Enterprise", "Mid-Market", "Small"];

    public static readonly string[] JobTitles =
    [
        "CTO", "CIO", "CFO", "VP Engineering", "VP Data", "Head of Analytics", "Head of Data", "Director of IT", "Data Science Lead",
    ];

    public static readonly string[] PageSections = ["blog", "customers", "docs", "events"];

    public static readonly string[] PageTopics =
    [
        "data-mesh", "lakehouse", "self-service-analytics", "data-contracts", "ml-ops", "cost-control", "governance", "streaming",
    ];

    /// <summary>Sales reps by region.</summary>
    public static string SalesRep(string region, int pick) => region switch
    {
        "Europe" => pick % 2 == 0 ? "Tom Becker" : "Claire Dupont",
        "Asia Pacific" => "Priya Nair",
        _ => pick % 2 == 0 ? "Maria Lopez" : "David Kim",
    };

    public static string Region(string country) => Array.Find(Countries, c => c.Country == country).Region
        ?? throw new ArgumentOutOfRangeException(nameof(country), country, "No region is known for this country.");

    public static string Phone(string country, long number) => country switch
    {
        "UK" => $"+44 20 7946 {number % 10_000:D4}",
        "Germany" => $"+49 30 1234 {number % 10_000:D4}",
        "France" => $"+33 1 23 45 {number % 10_000:D4}",
        "Australia" => $"+61 2 9876 {number % 10_000:D4}",
        _ => $"+1 415 555 {number % 10_000:D4}",
    };
}
