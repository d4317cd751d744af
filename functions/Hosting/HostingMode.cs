namespace Parley.Functions.Hosting;

/// <summary>
/// Under the Azure Functions host (it sets <c>FUNCTIONS_CUSTOMHANDLER_PORT</c>) the host polls queues and fires
/// timers and POSTs them to us; standalone (local runs, tests) our own pump and scheduler do that work.
/// </summary>
public static class HostingMode
{
    public const string CustomHandlerPortSetting = "FUNCTIONS_CUSTOMHANDLER_PORT";

    public static bool IsFunctionsHost(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[CustomHandlerPortSetting]);
}
