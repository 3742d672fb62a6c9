using DataMeesh.AppHost.Tests.Infrastructure;

namespace DataMeesh.AppHost.Tests;

/// <summary>The renderer the publish tests render the chart with, on templates written by hand (no chart, no Docker needed).</summary>
public sealed class HelmTemplateTests
{
    private const string ValuesYaml = """
        parameters:
          api:
            port_http: 8080
            api_image: ""
        secrets:
          db:
            password: ""
        config:
          api:
            HOST: "db-service"
        """;

    private static HelmTemplate Template(params (string Path, string Value)[] overrides) =>
        new(HelmTemplate.Values(ValuesYaml, overrides.Select(o => KeyValuePair.Create(o.Path, o.Value))), "rel", "chart");

    [Fact]
    public void Values_release_and_chart_are_printed_in_place() =>
        Assert.Equal("host: \"db-service\" rel/chart",
            Template().Render("host: \"{{ .Values.config.api.HOST }}\" {{ .Release.Name }}/{{ .Chart.Name }}"));

    [Fact]
    public void Pipelines_convert_ports_like_sprig() =>
        Assert.Equal("port: 8080 \"8080\"", Template().Render("port: {{ .Values.parameters.api.port_http | int }} \"{{ .Values.parameters.api.port_http | int | toString }}\""));

    [Fact]
    public void Set_overrides_replace_and_add_values() =>
        Assert.Equal("s3cret 9090", Template(("secrets.db.password", "s3cret"), ("parameters.api.port_http", "9090"))
            .Render("{{ .Values.secrets.db.password }} {{ .Values.parameters.api.port_http | int }}"));

    [Fact]
    public void Required_fails_on_an_empty_value_with_its_message()
    {
        var error = Assert.Throws<HelmRenderException>(() =>
            Template().Render("p: \"{{ required `secrets.db.password is required` .Values.secrets.db.password }}\""));
        Assert.Equal("secrets.db.password is required", error.Message);
        Assert.Equal("p: \"x\"", Template(("secrets.db.password", "x")).Render("p: \"{{ required `secrets.db.password is required` .Values.secrets.db.password }}\""));
    }

    [Fact]
    public void Escaped_braces_of_configuration_files_come_out_literally() =>
        Assert.Equal("legend: {{instance}}", Template().Render("legend: {{`{{`}}instance{{`}}`}}"));

    [Fact]
    public void A_value_no_values_file_defines_is_an_error() =>
        Assert.Throws<HelmRenderException>(() => Template().Render("{{ .Values.config.api.MISSING }}"));

    [Theory]
    [InlineData("{{ .Values.config.api.HOST | quote }}")]
    [InlineData("{{ if .Values.config.api.HOST }}x{{ end }}")]
    [InlineData("{{- .Values.config.api.HOST }}")]
    [InlineData("{{ .Capabilities.KubeVersion }}")]
    public void What_the_renderer_does_not_know_is_refused(string template) =>
        Assert.Throws<NotSupportedException>(() => Template().Render(template));
}
