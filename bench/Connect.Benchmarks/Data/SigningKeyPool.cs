using System.Security.Cryptography;
using Connect.Application.SessionTokens;
using Connect.Application.SigningKeys;
using Connect.Domain.Applications;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Connect.Benchmarks.Data;

/// <summary>
/// The token-signing keys of the bench's applications, stored as the service stores its own: a pool of RSA keys
/// (generating one per application would take minutes) whose copies are sealed per application under the
/// key-encryption key the service processes are given. Every data set seeds them, so that no timed request pays for
/// an application's first key (an RSA generation and a revision bump): the lifecycle's tokens are signed with them,
/// and the signals runs' logout tokens and SETs are signed with them as an application that already signs would.
/// </summary>
internal sealed class SigningKeyPool : IDisposable
{
    private readonly RSA[] _keys;
    private readonly string[] _keyIds;
    private readonly TokenSigningKey[] _signing;
    private readonly SigningKeyEncryption _encryption;

    private SigningKeyPool(RSA[] keys, string keyEncryptionKey)
    {
        _keys = keys;
        _keyIds = [.. keys.Select(rsa => SigningKeyFactory.Thumbprint(rsa.ExportParameters(includePrivateParameters: false)))];
        _signing = [.. keys.Select((rsa, i) => new TokenSigningKey(_keyIds[i], rsa))];
        _encryption = new SigningKeyEncryption(Options.Create(new SigningKeyOptions { KeyEncryptionKey = keyEncryptionKey }));
    }

    public SigningKeyEncryption Encryption => _encryption;

    public int Count => _keys.Length;

    public static async Task<SigningKeyPool> CreateAsync(int keys, string keyEncryptionKey, CancellationToken cancellationToken)
    {
        var pool = await Task.WhenAll(Enumerable.Range(0, keys).Select(_ => Task.Run(() => RSA.Create(SigningKeyFactory.KeyBits), cancellationToken)));
        return new SigningKeyPool(pool, keyEncryptionKey);
    }

    /// <summary>The key id of application <paramref name="application"/>'s current key (unique per application only, as the schema allows).</summary>
    public string KeyIdOf(int application) => _keyIds[application % _keys.Length];

    /// <summary>Application <paramref name="application"/>'s current key, to sign with as the service would.</summary>
    public TokenSigningKey SigningKeyOf(int application) => _signing[application % _signing.Length];

    /// <summary>
    /// Writes generation 1 of every application's key, current since <paramref name="createdAt"/> and signing until
    /// <paramref name="signsUntil"/>, in the caller's transaction. Each copy is sealed on its own: the row's identity is
    /// the seal's associated data.
    /// </summary>
    public void Copy(NpgsqlConnection connection, int applications, DateTime createdAt, DateTime signsUntil)
    {
        var pkcs8 = _keys.Select(rsa => rsa.ExportPkcs8PrivateKey()).ToArray();
        var spki = _keys.Select(rsa => rsa.ExportSubjectPublicKeyInfo()).ToArray();
        try
        {
            using var writer = connection.BeginBinaryImport(
                "COPY signing_keys (application_id, generation, key_id, public_key_spki, private_key_nonce, private_key_tag, "
                + "private_key_ciphertext, created_at, current_from, signs_until, kek_id) FROM STDIN (FORMAT BINARY)");
            for (var j = 0; j < applications; j++)
            {
                var k = j % _keys.Length;
                var application = DataShape.ApplicationId(j);
                var sealedKey = _encryption.Seal(new SigningKeyIdentity(new AppId(application), 1, _keyIds[k], spki[k], createdAt), pkcs8[k]);
                writer.StartRow();
                writer.Write(application, NpgsqlDbType.Uuid);
                writer.Write(1, NpgsqlDbType.Integer);
                writer.Write(_keyIds[k], NpgsqlDbType.Text);
                writer.Write(spki[k], NpgsqlDbType.Bytea);
                writer.Write(sealedKey.Nonce, NpgsqlDbType.Bytea);
                writer.Write(sealedKey.Tag, NpgsqlDbType.Bytea);
                writer.Write(sealedKey.Ciphertext, NpgsqlDbType.Bytea);
                writer.Write(createdAt, NpgsqlDbType.TimestampTz);
                writer.Write(createdAt, NpgsqlDbType.TimestampTz);
                writer.Write(signsUntil, NpgsqlDbType.TimestampTz);
                writer.Write(_encryption.KeyEncryptionKeyId!, NpgsqlDbType.Text);
            }

            writer.Complete();
        }
        finally
        {
            foreach (var key in pkcs8)
            {
                CryptographicOperations.ZeroMemory(key);
            }
        }
    }

    public void Dispose()
    {
        foreach (var rsa in _keys)
        {
            rsa.Dispose();
        }
    }
}
