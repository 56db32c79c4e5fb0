// applicationHost.config as IIS writes it on an NDES server, for the tests of the
// renew hook's SCEP URL (tests/unit/renew_iis_scep_url_test.cpp on Linux,
// tests/windows/scep_url_test.cpp under wine). Header only.
#pragma once

#include <string>

namespace ndes::test {

// An NDES server's applicationHost.config, cut to what it holds around the sites;
// `sites` replaces the <sites> content.
inline std::string application_host(const std::string& sites) {
  return R"(<?xml version="1.0" encoding="UTF-8"?>
<!--
    IIS configuration sections.
-->
<configuration>
    <configSections>
        <sectionGroup name="system.applicationHost">
            <section name="applicationPools" allowDefinition="AppHostOnly" overrideModeDefault="Deny" />
            <section name="sites" allowDefinition="AppHostOnly" overrideModeDefault="Deny" />
        </sectionGroup>
    </configSections>
    <system.applicationHost>
        <applicationPools>
            <add name="DefaultAppPool" />
            <add name="SCEP" managedRuntimeVersion="v4.0">
                <processModel identityType="SpecificUser" userName="CONTOSO\svc-ndes" password="[enc:IISCngProvider:...:enc]" />
            </add>
            <applicationPoolDefaults managedRuntimeVersion="v4.0">
                <processModel identityType="ApplicationPoolIdentity" />
            </applicationPoolDefaults>
        </applicationPools>
        <sites>
)" + sites +
         R"(
            <siteDefaults>
                <logFile logFormat="W3C" directory="%SystemDrive%\inetpub\logs\LogFiles" />
                <traceFailedRequestsLogging directory="%SystemDrive%\inetpub\logs\FailedReqLogFiles" />
            </siteDefaults>
            <applicationDefaults applicationPool="DefaultAppPool" />
            <virtualDirectoryDefaults allowSubDirConfig="true" />
        </sites>
    </system.applicationHost>
    <location path="Default Web Site/CertSrv/mscep_admin">
        <system.webServer>
            <security>
                <authentication>
                    <windowsAuthentication enabled="true" />
                </authentication>
            </security>
        </system.webServer>
    </location>
</configuration>
)";
}

// Default Web Site as NDES leaves it, with these <binding> lines.
inline std::string default_web_site(const std::string& bindings) {
  return R"(            <site name="Default Web Site" id="1">
                <application path="/">
                    <virtualDirectory path="/" physicalPath="%SystemDrive%\inetpub\wwwroot" />
                </application>
                <application path="/CertSrv/mscep" applicationPool="SCEP">
                    <virtualDirectory path="/" physicalPath="C:\Windows\system32\CertSrv\mscep" />
                </application>
                <application path="/CertSrv/mscep_admin" applicationPool="SCEP">
                    <virtualDirectory path="/" physicalPath="C:\Windows\system32\CertSrv\mscep" />
                </application>
                <bindings>
)" + bindings +
         R"(
                </bindings>
            </site>)";
}

}  // namespace ndes::test
