using Microsoft.Playwright;

namespace Micro.Web.BrowserTests;

/// <summary>Debian's chromium, headless, as every browser test here drives it.</summary>
internal static class Chromium
{
    private const string Executable = "/usr/bin/chromium";

    public static Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        Assert.True(File.Exists(Executable), $"{Executable} is missing: the browser tests need Debian's chromium (eng/install-deps.sh installs it)");
        return playwright.Chromium.LaunchAsync(new() { ExecutablePath = Executable, Headless = true, Args = ["--headless", "--no-sandbox", "--disable-gpu"] });
    }
}
