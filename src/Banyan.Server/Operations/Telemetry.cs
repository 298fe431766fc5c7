using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Banyan.Server.Operations;

/// <summary>
/// OpenTelemetry: ASP.NET Core and runtime metrics plus every <c>Banyan.*</c> meter, scraped at
/// <c>/metrics</c>; traces from ASP.NET Core and every <c>Banyan.*</c> activity source only when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (exported over OTLP, with metrics); without it no trace is recorded.
/// </summary>
internal static class Telemetry
{
    public const string MetricsPath = "/metrics";

    public static void AddBanyanTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var otel = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("banyan", serviceVersion: typeof(Telemetry).Assembly.GetName().Version?.ToString()))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddMeter("System.Runtime")
                .AddMeter("Banyan.*")
                .AddPrometheusExporter());

        // Traces go nowhere without an exporter: recording them anyway cost an activity with tags per request
        // (decision 0620, second pass). Metrics do not depend on traces.
        if (HasTraceExporter(configuration))
        {
            otel.WithTracing(tracing => tracing
                    .AddAspNetCoreInstrumentation(options => options.Filter = context => !context.Request.Path.StartsWithSegments(MetricsPath))
                    .AddSource("Banyan.*"))
                .UseOtlpExporter();
        }
    }

    /// <summary>Whether OTLP export is configured; it is what <c>UseOtlpExporter()</c> reads (metrics then go there too).</summary>
    internal static bool HasTraceExporter(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
}
