namespace Connect.Infrastructure.LocalPostgres;

/// <summary>A local PostgreSQL cluster could not be prepared, started, stopped or removed.</summary>
public class LocalPostgresException : Exception
{
    public LocalPostgresException()
    {
    }

    public LocalPostgresException(string message)
        : base(message)
    {
    }

    public LocalPostgresException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The PostgreSQL server programs (initdb, pg_ctl, postgres) are not installed.</summary>
public sealed class LocalPostgresUnavailableException : LocalPostgresException
{
    public LocalPostgresUnavailableException()
    {
    }

    public LocalPostgresUnavailableException(string message)
        : base(message)
    {
    }

    public LocalPostgresUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The cluster's TCP port on 127.0.0.1 is held by some other process.</summary>
public sealed class LocalPostgresPortInUseException : LocalPostgresException
{
    public LocalPostgresPortInUseException()
    {
    }

    public LocalPostgresPortInUseException(string message)
        : base(message)
    {
    }

    public LocalPostgresPortInUseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public LocalPostgresPortInUseException(int port)
        : base($"Port {port} on 127.0.0.1 is already in use by another process; stop that process or choose another port for the local PostgreSQL server.")
    {
        Port = port;
    }

    public int Port { get; }
}
