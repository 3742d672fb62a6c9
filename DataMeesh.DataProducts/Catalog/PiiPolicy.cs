namespace DataMeesh.DataProducts.Catalog;

/// <summary>
/// The one PII policy of the mesh (README, "Personal data"). A column is personal data (<see cref="ColumnDefinition.Pii"/>)
/// when it identifies or contacts a person: a person's name (leads, sales representatives), an e-mail address, a phone
/// number. A company's name is not (customers.customer_name, leads.company). Each product declares it once per column;
/// every path where data leaves a domain enforces it from that declaration: the APIs mask it, the domain's read-only login
/// cannot select it (migrations 0006, checked against the declarations), Trino masks it for every group but
/// <c>platform</c> (platform/trino/rules.json, generated from the declarations), and the lake's marts never copy it.
/// </summary>
public static class PiiPolicy
{
    /// <summary>What a caller without the right sees in place of a personal value.</summary>
    public const string Mask = "***";

    /// <summary>The pseudonym column each table with an e-mail carries (migrations 0006 keep it current).</summary>
    public const string EmailHashColumn = "email_hash";

    public static string EmailHashDescription(string joins) =>
        $"HMAC-SHA-256 of email under the mesh's PII key, in hex: a pseudonym, not personal data on its own; joins {joins} " +
        "without revealing the address. Empty while DataProducts:PiiKey is not configured.";

    /// <summary>Every personal column of a product, per dataset, in declaration order.</summary>
    public static IEnumerable<(string Dataset, string Column)> PersonalColumns(DataProductDefinition product) =>
        product.Datasets.SelectMany(d => d.Columns.Where(c => c.Pii).Select(c => (d.Name, c.Name)));
}
