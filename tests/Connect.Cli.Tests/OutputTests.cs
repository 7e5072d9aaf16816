namespace Connect.Cli.Tests;

public sealed class OutputTests
{
    [Theory]
    [InlineData("two\nlines", "connect: two lines")]
    [InlineData("carriage\r\nreturn", "connect: carriage  return")]
    [InlineData("unicode\u2028line separator", "connect: unicode line separator")]
    [InlineData("nul\0and bell\a", "connect: nul and bell")]
    public void Failure_is_always_exactly_one_line(string message, string expected)
    {
        using var stderr = new StringWriter();

        var exitCode = Output.Fail(stderr, message);

        Assert.Equal(1, exitCode);
        Assert.Equal(expected + Environment.NewLine, stderr.ToString());
    }
}
