using System.Security.Cryptography;
using System.Text.Json;
using Connect.Cli.Database;

namespace Connect.Cli.Tests.Script;

/// <summary>
/// The embedded database's key-encryption key (<c>.data/signing-keys.kek</c>) is lost or moved away while keys sealed
/// under it exist. A new one would seal new keys beside old ones nobody can open (a 500 for every existing
/// application's /refresh): instead every command refuses with one line and writes no key file.
/// </summary>
public sealed class LostKeyEncryptionKeyTests(EmbeddedCluster cluster) : IClassFixture<EmbeddedCluster>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("connect-lost-kek-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Key_encryption_key_moved_away_is_never_silently_replaced()
    {
        var kekFile = Path.Combine(Path.GetDirectoryName(cluster.Cluster.DataDirectory)!, EmbeddedKeyEncryptionKey.FileName);
        var environment = cluster.Environment;
        (await ConnectScript.RunAsync(environment, "app", "register", "--anchor", $"app-{Guid.NewGuid():N}", "--public-key", WriteKey()))
            .AssertJson(("anchor", JsonValueKind.String), ("sectorId", JsonValueKind.String), ("keyId", JsonValueKind.String));
        Assert.True(File.Exists(kekFile));
        File.Move(kekFile, Path.Combine(_folder, "moved-away.kek"));

        var register = await ConnectScript.RunAsync(
            environment, "app", "register", "--anchor", $"app-{Guid.NewGuid():N}", "--public-key", WriteKey());
        var up = await ConnectScript.RunAsync(environment, "up");

        const string Refusal = "holds token-signing keys sealed under its key-encryption key";
        register.AssertFailed(Refusal);
        up.AssertFailed(Refusal);
        Assert.False(File.Exists(kekFile));
    }

    private string WriteKey()
    {
        using var key = RSA.Create(2048);
        var path = Path.Combine(_folder, $"{Guid.NewGuid():N}.pem");
        File.WriteAllText(path, key.ExportSubjectPublicKeyInfoPem());
        return path;
    }
}
