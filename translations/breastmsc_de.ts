<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>bmsc::app::MainWindow</name>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="28"/>
        <source>BreastMSC</source>
        <translation>BreastMSC</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="48"/>
        <source>Cohort</source>
        <translation>Kohorte</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="82"/>
        <source>Slices</source>
        <translation>Schichten</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="101"/>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="103"/>
        <source>Open &amp;Study Folder...</source>
        <translation>&amp;Studienordner öffnen...</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="106"/>
        <source>Open &amp;Cohort...</source>
        <translation>&amp;Kohorte öffnen...</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="107"/>
        <source>Ctrl+Shift+O</source>
        <translation>Ctrl+Shift+O</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="109"/>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="112"/>
        <source>&amp;Channel</source>
        <translation>&amp;Kanal</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="113"/>
        <source>Channels</source>
        <translation>Kanäle</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="116"/>
        <source>Pre</source>
        <translation>Nativ</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="116"/>
        <source>Post 1</source>
        <translation>Post 1</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="116"/>
        <source>Post 2</source>
        <translation>Post 2</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="117"/>
        <source>Post 3</source>
        <translation>Post 3</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="117"/>
        <source>Post 4</source>
        <translation>Post 4</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="117"/>
        <source>T2</source>
        <translation>T2</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="137"/>
        <source>Sub %1</source>
        <translation>Sub %1</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="139"/>
        <source>Subtraction post %1 - pre</source>
        <translation>Subtraktion Post %1 - Prä</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="146"/>
        <source>MIP</source>
        <translation>MIP</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="148"/>
        <source>Maximum intensity projection of the subtraction</source>
        <translation>Maximumintensitätsprojektion der Subtraktion</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="150"/>
        <source>M</source>
        <translation>M</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="158"/>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="160"/>
        <source>Layout 1x1</source>
        <translation>Layout 1x1</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="162"/>
        <source>Ctrl+1</source>
        <translation>Ctrl+1</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="163"/>
        <source>Layout 1x3 (axial, coronal, sagittal)</source>
        <translation>Layout 1x3 (axial, koronal, sagittal)</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="165"/>
        <source>Ctrl+3</source>
        <translation>Ctrl+3</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="177"/>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="178"/>
        <source>&amp;About BreastMSC</source>
        <translation>&amp;Über BreastMSC</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="194"/>
        <source>Open Study Folder</source>
        <translation>Studienordner öffnen</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="204"/>
        <source>Open Cohort</source>
        <translation>Kohorte öffnen</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="231"/>
        <source>?</source>
        <translation>?</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="232"/>
        <source>malignant</source>
        <translation>maligne</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="232"/>
        <source>benign</source>
        <translation>benigne</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="233"/>
        <source>L: %1</source>
        <translation>L: %1</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="233"/>
        <source>R: %1</source>
        <translation>R: %1</translation>
    </message>
    <message numerus="yes">
        <location filename="../app/desktop/MainWindow.cpp" line="236"/>
        <source>%1   %2   %n lesion(s)</source>
        <translation>
            <numerusform>%1   %2   %n Läsion</numerusform>
            <numerusform>%1   %2   %n Läsionen</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="248"/>
        <source>Cannot open the cohort</source>
        <translation>Die Kohorte kann nicht geöffnet werden</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="256"/>
        <source>Reading %1</source>
        <translation>%1 wird gelesen</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="256"/>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="277"/>
        <source>%1 - BreastMSC</source>
        <translation>%1 - BreastMSC</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="286"/>
        <source>Cannot open the study</source>
        <translation>Die Studie kann nicht geöffnet werden</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="316"/>
        <source>voxel (%1, %2, %3)   LPS (%4, %5, %6) mm  </source>
        <translation>Voxel (%1, %2, %3)   LPS (%4, %5, %6) mm  </translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="332"/>
        <source>About BreastMSC</source>
        <translation>Über BreastMSC</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="333"/>
        <source>&lt;h3&gt;BreastMSC %1&lt;/h3&gt;&lt;p&gt;Breast DCE-MRI review and the multi-scale curriculum CNN for malignancy classification.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;BreastMSC %1&lt;/h3&gt;&lt;p&gt;Befundung der Mamma-DCE-MRT und das Multi-Scale-Curriculum-CNN zur Malignitätsklassifikation.&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>bmsc::viewer::SliceView</name>
    <message>
        <location filename="../viewer/widgets/SliceView.cpp" line="71"/>
        <source>Open a study or a cohort (File menu)</source>
        <translation>Öffnen Sie eine Studie oder eine Kohorte (Menü Datei)</translation>
    </message>
    <message>
        <location filename="../viewer/widgets/SliceView.cpp" line="87"/>
        <source>%1  slice %2/%3</source>
        <translation>%1  Schicht %2/%3</translation>
    </message>
    <message>
        <location filename="../viewer/widgets/SliceView.cpp" line="90"/>
        <source>W %1  L %2</source>
        <translation>Breite %1  Zentrum %2</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <location filename="../app/desktop/main.cpp" line="29"/>
        <source>Breast DCE-MRI review and malignancy classification</source>
        <translation>Befundung der Mamma-DCE-MRT und Malignitätsklassifikation</translation>
    </message>
    <message>
        <location filename="../app/desktop/main.cpp" line="33"/>
        <source>Study or cohort folder to open</source>
        <translation>Zu öffnender Studien- oder Kohortenordner</translation>
    </message>
</context>
</TS>
