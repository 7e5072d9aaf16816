using Connect.Api;

ConnectWebApplication.Create(args).Run();

/// <summary>The entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
