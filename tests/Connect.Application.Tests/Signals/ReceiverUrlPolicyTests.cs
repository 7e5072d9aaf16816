using Connect.Application.Signals;

namespace Connect.Application.Tests.Signals;

/// <summary>The receiver URL rule of docs/contract/signals.md "Receivers": what server-side request forgery it stops.</summary>
public sealed class ReceiverUrlPolicyTests
{
    private const string NotPublic = "is private, link-local, unspecified or otherwise not public";
    private const string LoopbackOff = "allowed only while Connect:Signals:AllowLoopbackReceivers is true";
    private const string HttpsOnly = "must be https";
    private const string NotDottedQuad = "four numbers 0-255";

    public static TheoryData<string, string?> WithoutLoopback => new()
    {
        // Allowed: https to a public name or address. Names are not resolved when a receiver is added.
        { "https://receiver.example/logout", null },
        { "https://Receiver.Example:8443/signals?tenant=1", null },
        { "https://93.184.216.34/caep", null },
        { "https://[2606:4700::1111]/caep", null },
        { "https://metadata.internal.example/", null },

        // Scheme.
        { "http://receiver.example/logout", HttpsOnly },
        { "http://93.184.216.34/logout", HttpsOnly },
        { "ftp://receiver.example/logout", "must be https (http only to a loopback host)" },
        { "javascript:alert(1)", "must be https (http only to a loopback host)" },
        { "file:///etc/passwd", "must be https (http only to a loopback host)" },
        { "/logout", "must be https (http only to a loopback host)" },
        { "receiver.example/logout", "is not an absolute URL" },

        // What parsers read differently.
        { "https://user@receiver.example/", "user information" },
        { "https://user:password@receiver.example/", "user information" },
        { "https://receiver.example@10.0.0.1/", "user information" },
        { "https://receiver.example/logout#top", "fragment" },
        { "https://receiver.example/a b", "printable ASCII" },
        { "https://receiver.example/\tx", "printable ASCII" },
        { "https://receiver.example\\@10.0.0.1/", "printable ASCII" },
        { "https://réceiver.example/", "printable ASCII" },
        { "", "must not be empty" },
        { "https://receiver.example:0/", "port must be 1 to 65535" },

        // Private, link-local, unspecified and the rest of the special-purpose space.
        { "https://10.0.0.1/", NotPublic },
        { "https://172.16.5.4/", NotPublic },
        { "https://192.168.1.1/", NotPublic },
        { "https://100.64.0.1/", NotPublic },
        { "https://169.254.169.254/latest/meta-data/", NotPublic },
        { "https://0.0.0.0/", NotPublic },
        { "https://224.0.0.1/", NotPublic },
        { "https://255.255.255.255/", NotPublic },
        { "https://[::]/", NotPublic },
        { "https://[fe80::1]/", NotPublic },
        { "https://[fd00::1]/", NotPublic },
        { "https://[fc00::5]/", NotPublic },
        { "https://[ff02::1]/", NotPublic },
        { "https://[::ffff:10.0.0.1]/", NotPublic },
        { "https://[::ffff:169.254.169.254]/", NotPublic },
        { "https://[::ffff:0.0.0.0]/", NotPublic },
        { "https://[::a00:1]/", NotPublic },
        { "https://[64:ff9b::a9fe:a9fe]/", NotPublic },
        { "https://[2002:a00:1::]/", NotPublic },

        // IPv4 written in forms only some parsers take for an address.
        { "https://2130706433/", NotDottedQuad },
        { "https://127.1/", NotDottedQuad },
        { "https://0x7f.0.0.1/", NotDottedQuad },
        { "https://010.0.0.1/", NotDottedQuad },
        { "https://1.2.3.4.5/", "neither a DNS name nor an IPv4 address" },

        // Loopback, refused while the option is off.
        { "http://localhost:8080/logout", LoopbackOff },
        { "https://localhost/logout", LoopbackOff },
        { "http://app.localhost/logout", LoopbackOff },
        { "http://127.0.0.1:9000/logout", LoopbackOff },
        { "http://127.8.9.10/logout", LoopbackOff },
        { "http://[::1]:9000/logout", LoopbackOff },
        { "http://[::ffff:127.0.0.1]/logout", LoopbackOff },
    };

    public static TheoryData<string, string?> WithLoopback => new()
    {
        { "http://localhost:8080/logout", null },
        { "https://localhost/logout", null },
        { "http://app.localhost/logout", null },
        { "http://127.0.0.1:9000/logout", null },
        { "http://127.8.9.10/logout", null },
        { "http://[::1]:9000/logout", null },
        { "http://[::ffff:127.0.0.1]/logout", null },

        // The option allows loopback only: everything else is judged as before.
        { "http://receiver.example/logout", HttpsOnly },
        { "https://169.254.169.254/", NotPublic },
        { "https://[fd00::1]/", NotPublic },
        { "https://127.1/", NotDottedQuad },
    };

    [Theory]
    [MemberData(nameof(WithoutLoopback))]
    public void Judges_each_url_while_loopback_receivers_are_off(string url, string? problem) =>
        AssertJudged(url, allowLoopback: false, problem);

    [Theory]
    [MemberData(nameof(WithLoopback))]
    public void Allows_loopback_only_while_the_option_is_on(string url, string? problem) =>
        AssertJudged(url, allowLoopback: true, problem);

    [Fact]
    public void Allows_2048_bytes_and_refuses_one_more()
    {
        var prefix = "https://receiver.example/";
        var longest = prefix + new string('a', ReceiverUrlPolicy.MaxBytes - prefix.Length);

        Assert.Null(ReceiverUrlPolicy.FindProblem(longest, allowLoopback: false));
        Assert.Contains("longer than 2048 bytes", ReceiverUrlPolicy.FindProblem(longest + "a", allowLoopback: false), StringComparison.Ordinal);
    }

    private static void AssertJudged(string url, bool allowLoopback, string? problem)
    {
        var found = ReceiverUrlPolicy.FindProblem(url, allowLoopback);

        if (problem is null)
        {
            Assert.Null(found);
        }
        else
        {
            Assert.NotNull(found);
            Assert.Contains(problem, found, StringComparison.Ordinal);
        }
    }
}
