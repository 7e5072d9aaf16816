using Connect.Cli.Database;

namespace Connect.Cli.Tests;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class EmbeddedKeyEncryptionKeyTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("connect-kek-tests-").FullName;

    [Fact]
    public void First_need_creates_a_256_bit_key_readable_by_its_owner_only_and_later_needs_reuse_it()
    {
        var folder = Path.Combine(_data, ".data");

        var created = EmbeddedKeyEncryptionKey.LoadOrCreate(folder);
        var reused = EmbeddedKeyEncryptionKey.LoadOrCreate(folder);

        Assert.Equal(32, Convert.FromBase64String(created).Length);
        Assert.Equal(created, reused);
        var path = Path.Combine(folder, EmbeddedKeyEncryptionKey.FileName);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal([EmbeddedKeyEncryptionKey.FileName], Directory.GetFiles(folder).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Commands_starting_at_once_agree_on_one_key()
    {
        var keys = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => EmbeddedKeyEncryptionKey.LoadOrCreate(_data))));

        Assert.Single(keys.Distinct());
    }

    [Fact]
    public void Key_file_others_can_read_is_refused()
    {
        EmbeddedKeyEncryptionKey.LoadOrCreate(_data);
        var path = Path.Combine(_data, EmbeddedKeyEncryptionKey.FileName);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        var refused = Assert.Throws<IOException>(() => EmbeddedKeyEncryptionKey.LoadOrCreate(_data));

        Assert.Equal($"the key-encryption key file {path} is readable or writable by others; run chmod 600 on it", refused.Message);
    }

    public void Dispose() => Directory.Delete(_data, recursive: true);
}
