using Connect.Infrastructure.Postgres;
using Npgsql;

namespace Connect.Infrastructure.Tests.Postgres;

public sealed class PostgresDataSourceFactoryTests
{
    private const string Minimal = "Host=127.0.0.1;Database=connect;Username=connect;Password=secret";

    [Fact]
    public void Unstated_settings_get_connects_defaults()
    {
        using var dataSource = PostgresDataSourceFactory.Create(Minimal, new PostgresOptions());

        var settings = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);

        Assert.Equal(
            (5, 5, "connect", Math.Max(4, 2 * Environment.ProcessorCount), 32),
            (settings.Timeout, settings.CommandTimeout, settings.ApplicationName, settings.MaxPoolSize, settings.MaxAutoPrepare));
        Assert.True(settings.NoResetOnClose);
    }

    [Fact]
    public void Settings_written_in_the_connection_string_win()
    {
        var written = Minimal + ";Timeout=30;Command Timeout=60;Application Name=ops;Maximum Pool Size=50;Max Auto Prepare=0;No Reset On Close=false";

        using var dataSource = PostgresDataSourceFactory.Create(written, new PostgresOptions { MaxPoolSize = 7 });

        var settings = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
        Assert.Equal(
            (30, 60, "ops", 50, 0, false),
            (settings.Timeout, settings.CommandTimeout, settings.ApplicationName, settings.MaxPoolSize, settings.MaxAutoPrepare, settings.NoResetOnClose));
    }

    [Fact]
    public void Configured_options_replace_the_built_in_defaults()
    {
        using var dataSource = PostgresDataSourceFactory.Create(
            Minimal, new PostgresOptions { ConnectTimeoutSeconds = 2, CommandTimeoutSeconds = 9, MaxPoolSize = 7 });

        var settings = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);

        Assert.Equal((2, 9, 7), (settings.Timeout, settings.CommandTimeout, settings.MaxPoolSize));
    }
}
