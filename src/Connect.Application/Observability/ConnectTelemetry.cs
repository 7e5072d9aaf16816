namespace Connect.Application.Observability;

/// <summary>The name under which Connect publishes its own traces and metrics.</summary>
public static class ConnectTelemetry
{
    public const string Name = "Connect";

    /// <summary>Spans of the use cases; the database calls inside them are Npgsql's own spans.</summary>
    internal static ActivitySource Source { get; } = new(Name);
}
