using System.Globalization;
using Connect.Testing;
using Connect.Testing.ClientJwts;
using Connect.Testing.Hosting;
using Connect.Testing.Seeding;

namespace Connect.Api.Tests.Signals;

/// <summary>
/// The service as shipped, <c>dotnet Connect.Api.dll</c> in a process of its own (<see cref="ServiceProcess"/>, as the
/// benchmark starts it), with the settings the signals tests give every instance. Its log is shown by a failing test.
/// </summary>
internal static class ShippedService
{
    /// <summary>Connect.Api.dll as the test project's build built it: src/Connect.Api/bin/(this configuration)/net10.0.</summary>
    public static string Dll => Checkout.PathOf("src", "Connect.Api", "bin", Checkout.Configuration, "net10.0", "Connect.Api.dll");

    /// <summary>Starts one instance and waits until its /health answers.</summary>
    /// <param name="port">The port to listen on (when its settings name its own URL); a free one otherwise.</param>
    public static Task<ServiceProcess> StartAsync(IReadOnlyDictionary<string, string> settings, int? port = null)
    {
        var dll = Dll;
        Assert.True(File.Exists(dll), $"{dll} is not built");
        return ServiceProcess.StartAsync(dll, [], settings, port: port);
    }

    /// <summary>The settings every instance over <paramref name="connectionString"/> shares, with the signals' own.</summary>
    public static Dictionary<string, string> Settings(
        string connectionString, string keyEncryptionKey, int deliveryTimeoutSeconds, int leaseSeconds) => new()
    {
        ["ConnectionStrings__Connect"] = connectionString,
        ["Connect__SigningKeys__KeyEncryptionKey"] = keyEncryptionKey,
        ["Connect__SessionTokens__Issuer"] = SignalService.Issuer,
        ["Connect__Signals__AllowLoopbackReceivers"] = "true",
        ["Connect__Signals__PollMilliseconds"] = "50",
        ["Connect__Signals__DeliveryTimeoutSeconds"] = deliveryTimeoutSeconds.ToString(CultureInfo.InvariantCulture),
        ["Connect__Signals__LeaseSeconds"] = leaseSeconds.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>A signed revoke-all for <paramref name="subject"/>, over real HTTP; the revokedCount it answered.</summary>
    public static async Task<int> RevokeAllAsync(this ServiceProcess service, TestApplication app, string subject)
    {
        var body = RevokeAllBodies.For(subject);
        var jwt = new TestClientJwt(app.Anchor.Value, app.Key, DateTimeOffset.UtcNow, body);
        using var client = service.CreateClient();
        using var response = await client.SendAsync(ConnectApiFactory.Request(jwt.AuthorizationHeader(), body));
        return await ApiAssert.RevokedCountAsync(response);
    }
}
