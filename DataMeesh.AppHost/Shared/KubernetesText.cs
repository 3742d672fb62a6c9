using System.Text.RegularExpressions;

namespace DataMeesh;

/// <summary>Names and text as the Kubernetes publisher's Helm chart needs them.</summary>
public static partial class KubernetesText
{
    /// <summary>A DNS-1123 label: what Kubernetes requires of pod volume names, and of Service and ConfigMap names here.</summary>
    public static bool IsDnsLabel(string name) => name.Length <= 63 && DnsLabel().IsMatch(name);

    /// <summary>A valid ConfigMap key (file name inside the mounted directory).</summary>
    public static bool IsConfigMapKey(string key) => key.Length <= 253 && ConfigMapKey().IsMatch(key);

    /// <summary>
    /// Every file under templates/ is a Go template to Helm, so configuration text that contains <c>{{</c> or <c>}}</c>
    /// (Grafana legends, Jinja in dbt) would be evaluated. This writes such braces as Go raw-string literals: backquotes,
    /// because the publisher writes ConfigMap data as double-quoted YAML, which would escape double quotes inside the action.
    /// </summary>
    public static string EscapeForHelm(string text) =>
        HelmDelimiters().Replace(text, m => m.Value == "{{" ? "{{`{{`}}" : "{{`}}`}}");

    /// <summary>A DNS label made of the parts, lower-cased, with anything else turned into '-'.</summary>
    public static string ToDnsLabel(params string[] parts)
    {
        var joined = string.Join('-', parts.Where(p => p.Length > 0)).ToLowerInvariant();
        var label = NotDnsCharacters().Replace(joined, "-").Trim('-');
        return label.Length <= 63 ? label : label[..63].TrimEnd('-');
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();

    [GeneratedRegex("^[-._a-zA-Z0-9]+$")]
    private static partial Regex ConfigMapKey();

    [GeneratedRegex(@"\{\{|\}\}")]
    private static partial Regex HelmDelimiters();

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NotDnsCharacters();
}
