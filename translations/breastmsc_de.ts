<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>bmsc::app::CohortPanel</name>
    <message>
        <location filename="../app/desktop/CohortPanel.cpp" line="13"/>
        <source>Patient</source>
        <translation>Patient</translation>
    </message>
    <message>
        <location filename="../app/desktop/CohortPanel.cpp" line="13"/>
        <source>Left</source>
        <translation>Links</translation>
    </message>
    <message>
        <location filename="../app/desktop/CohortPanel.cpp" line="13"/>
        <source>Right</source>
        <translation>Rechts</translation>
    </message>
    <message>
        <location filename="../app/desktop/CohortPanel.cpp" line="13"/>
        <source>Lesions</source>
        <translation>Läsionen</translation>
    </message>
    <message>
        <location filename="../app/desktop/CohortPanel.cpp" line="13"/>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../app/desktop/CohortPanel.cpp" line="62"/>
        <source>complete</source>
        <translation>vollständig</translation>
    </message>
    <message>
        <location filename="../app/desktop/CohortPanel.cpp" line="64"/>
        <source>labels missing</source>
        <translation>Labels fehlen</translation>
    </message>
    <message>
        <location filename="../app/desktop/CohortPanel.cpp" line="68"/>
        <source>no lesions</source>
        <translation>keine Läsionen</translation>
    </message>
    <message>
        <location filename="../app/desktop/CohortPanel.cpp" line="91"/>
        <source>?</source>
        <translation>?</translation>
    </message>
    <message>
        <location filename="../app/desktop/CohortPanel.cpp" line="93"/>
        <source>malignant</source>
        <translation>maligne</translation>
    </message>
    <message>
        <location filename="../app/desktop/CohortPanel.cpp" line="93"/>
        <source>benign</source>
        <translation>benigne</translation>
    </message>
</context>
<context>
    <name>bmsc::app::KineticsController</name>
    <message>
        <location filename="../app/desktop/KineticsController.cpp" line="130"/>
        <source>&amp;Kinetic Map</source>
        <translation>&amp;Kinetikkarte</translation>
    </message>
    <message>
        <location filename="../app/desktop/KineticsController.cpp" line="132"/>
        <source>Colour-coded kinetic map: washout red, plateau yellow, persistent blue (K)</source>
        <translation>Farbkodierte Kinetikkarte: Wash-out rot, Plateau gelb, persistierend blau (K)</translation>
    </message>
    <message>
        <location filename="../app/desktop/KineticsController.cpp" line="134"/>
        <source>Kinetics</source>
        <translation>Kinetik</translation>
    </message>
    <message>
        <location filename="../app/desktop/KineticsController.cpp" line="135"/>
        <source>Kinetics &amp;Panel</source>
        <translation>Kinetik-&amp;Panel</translation>
    </message>
    <message>
        <location filename="../app/desktop/KineticsController.cpp" line="136"/>
        <source>Kinetic map</source>
        <translation>Kinetikkarte</translation>
    </message>
    <message>
        <location filename="../app/desktop/KineticsController.cpp" line="137"/>
        <source>Initial enhancement ≥</source>
        <translation>Initialer Signalanstieg ≥</translation>
    </message>
    <message>
        <location filename="../app/desktop/KineticsController.cpp" line="139"/>
        <source>Voxels whose enhancement at post1 is below this are not coloured (50 % separates slow from medium)</source>
        <translation>Voxel mit geringerem Signalanstieg in post1 werden nicht eingefärbt (50 % trennt langsam von mittel)</translation>
    </message>
    <message>
        <location filename="../app/desktop/KineticsController.cpp" line="141"/>
        <source>Opacity</source>
        <translation>Deckkraft</translation>
    </message>
    <message>
        <location filename="../app/desktop/KineticsController.cpp" line="133"/>
        <source>Show the kinetic map (K)</source>
        <translation>Kinetikkarte anzeigen (K)</translation>
    </message>
    <message>
        <location filename="../app/desktop/KineticsController.cpp" line="227"/>
        <source>Computing the kinetic map...</source>
        <translation>Kinetikkarte wird berechnet...</translation>
    </message>
    <message>
        <location filename="../app/desktop/KineticsController.cpp" line="261"/>
        <source>Cannot compute the kinetic map: %1</source>
        <translation>Die Kinetikkarte kann nicht berechnet werden: %1</translation>
    </message>
    <message>
        <location filename="../app/desktop/KineticsController.cpp" line="267"/>
        <source>Kinetic map (initial enhancement ≥ %1 %): %2 persistent, %3 plateau, %4 washout voxels</source>
        <translation>Kinetikkarte (initialer Signalanstieg ≥ %1 %): %2 persistierende, %3 Plateau-, %4 Wash-out-Voxel</translation>
    </message>
</context>
<context>
    <name>bmsc::app::MainWindow</name>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="39"/>
        <source>BreastMSC</source>
        <translation>BreastMSC</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="61"/>
        <source>Cohort</source>
        <translation>Kohorte</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="97"/>
        <source>Slices</source>
        <translation>Schichten</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindowViews.cpp" line="50"/>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindowViews.cpp" line="52"/>
        <source>Open &amp;Study Folder...</source>
        <translation>&amp;Studienordner öffnen...</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindowViews.cpp" line="55"/>
        <source>Open &amp;Cohort...</source>
        <translation>&amp;Kohorte öffnen...</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindowViews.cpp" line="56"/>
        <source>Ctrl+Shift+O</source>
        <translation>Ctrl+Shift+O</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindowViews.cpp" line="57"/>
        <source>Open &amp;Recent</source>
        <translation>&amp;Zuletzt geöffnet</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindowViews.cpp" line="60"/>
        <source>Save Screenshot of &amp;View...</source>
        <translation>Bildschirmfoto der &amp;Ansicht speichern...</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindowViews.cpp" line="63"/>
        <source>Ctrl+Shift+S</source>
        <translation>Ctrl+Shift+S</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindowViews.cpp" line="64"/>
        <source>Save Screenshot of &amp;Window...</source>
        <translation>Bildschirmfoto des &amp;Fensters speichern...</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindowViews.cpp" line="69"/>
        <source>S&amp;ettings...</source>
        <translation>&amp;Einstellungen...</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindowViews.cpp" line="76"/>
        <source>Ctrl+,</source>
        <translation>Ctrl+,</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindowViews.cpp" line="79"/>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindowViews.cpp" line="88"/>
        <source>Layout 2x2 (axial, coronal, sagittal, MIP)</source>
        <translation>Layout 2x2 (axial, koronar, sagittal, MIP)</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindowViews.cpp" line="88"/>
        <source>Ctrl+2</source>
        <translation>Ctrl+2</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindowViews.cpp" line="100"/>
        <source>&amp;Reset View</source>
        <translation>Ansicht &amp;zurücksetzen</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindowViews.cpp" line="106"/>
        <source>R</source>
        <translation>R</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindowViews.cpp" line="106"/>
        <source>Ctrl+0</source>
        <translation>Ctrl+0</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindowViews.cpp" line="107"/>
        <source>Zoom &amp;In</source>
        <translation>&amp;Vergrößern</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindowViews.cpp" line="111"/>
        <source>Ctrl+=</source>
        <translation>Ctrl+=</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindowViews.cpp" line="112"/>
        <source>Zoom &amp;Out</source>
        <translation>Ver&amp;kleinern</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindowViews.cpp" line="119"/>
        <source>Series &amp;Assignment...</source>
        <translation>Serien&amp;zuordnung...</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindowViews.cpp" line="214"/>
        <source>Save Screenshot of View</source>
        <translation>Bildschirmfoto der Ansicht speichern</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindowViews.cpp" line="215"/>
        <source>Save Screenshot of Window</source>
        <translation>Bildschirmfoto des Fensters speichern</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindowViews.cpp" line="217"/>
        <source>PNG images (*.png)</source>
        <translation>PNG-Bilder (*.png)</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindowViews.cpp" line="224"/>
        <source>Cannot save the screenshot</source>
        <translation>Das Bildschirmfoto kann nicht gespeichert werden</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindowViews.cpp" line="249"/>
        <source>Series Assignment</source>
        <translation>Serienzuordnung</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindowViews.cpp" line="249"/>
        <source>Open a study first.</source>
        <translation>Bitte zuerst eine Studie öffnen.</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="118"/>
        <source>&amp;Channel</source>
        <translation>&amp;Kanal</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="119"/>
        <source>Channels</source>
        <translation>Kanäle</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="122"/>
        <source>Pre</source>
        <translation>Nativ</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="122"/>
        <source>Post 1</source>
        <translation>Post 1</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="122"/>
        <source>Post 2</source>
        <translation>Post 2</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="123"/>
        <source>Post 3</source>
        <translation>Post 3</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="123"/>
        <source>Post 4</source>
        <translation>Post 4</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="123"/>
        <source>T2</source>
        <translation>T2</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="143"/>
        <source>Sub %1</source>
        <translation>Sub %1</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="145"/>
        <source>Subtraction post %1 - pre</source>
        <translation>Subtraktion Post %1 - Prä</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="152"/>
        <source>MIP</source>
        <translation>MIP</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="154"/>
        <source>Maximum intensity projection of the subtraction</source>
        <translation>Maximumintensitätsprojektion der Subtraktion</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="156"/>
        <source>M</source>
        <translation>M</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="165"/>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindowViews.cpp" line="86"/>
        <source>Layout 1x1</source>
        <translation>Layout 1x1</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindowViews.cpp" line="86"/>
        <source>Ctrl+1</source>
        <translation>Ctrl+1</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindowViews.cpp" line="87"/>
        <source>Layout 1x3 (axial, coronal, sagittal)</source>
        <translation>Layout 1x3 (axial, koronal, sagittal)</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindowViews.cpp" line="87"/>
        <source>Ctrl+3</source>
        <translation>Ctrl+3</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="174"/>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="176"/>
        <source>&amp;Keyboard Shortcuts</source>
        <translation>&amp;Tastenkürzel</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="179"/>
        <source>&amp;About BreastMSC</source>
        <translation>&amp;Über BreastMSC</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="185"/>
        <source>Open Study Folder</source>
        <translation>Studienordner öffnen</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="195"/>
        <source>Open Cohort</source>
        <translation>Kohorte öffnen</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="225"/>
        <source>Cannot open the cohort</source>
        <translation>Die Kohorte kann nicht geöffnet werden</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="242"/>
        <source>Stop reading the study (Esc)</source>
        <translation>Lesen der Studie abbrechen (Esc)</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="257"/>
        <source>Reading %1</source>
        <translation>%1 wird gelesen</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="241"/>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="267"/>
        <source>A study is still being read: wait, or cancel it first</source>
        <translation>Es wird noch eine Studie gelesen: warten oder zuerst abbrechen</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="287"/>
        <source>%1 - BreastMSC</source>
        <translation>%1 - BreastMSC</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="297"/>
        <source>Cannot open the study</source>
        <translation>Die Studie kann nicht geöffnet werden</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="327"/>
        <source>voxel (%1, %2, %3)   LPS (%4, %5, %6) mm  </source>
        <translation>Voxel (%1, %2, %3)   LPS (%4, %5, %6) mm  </translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="343"/>
        <source>About BreastMSC</source>
        <translation>Über BreastMSC</translation>
    </message>
    <message>
        <location filename="../app/desktop/MainWindow.cpp" line="344"/>
        <source>&lt;h3&gt;BreastMSC %1&lt;/h3&gt;&lt;p&gt;Breast DCE-MRI review and the multi-scale curriculum CNN for malignancy classification.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;BreastMSC %1&lt;/h3&gt;&lt;p&gt;Befundung der Mamma-DCE-MRT und das Multi-Scale-Curriculum-CNN zur Malignitätsklassifikation.&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>bmsc::app::OverlayController</name>
    <message>
        <location filename="../app/desktop/OverlayController.cpp" line="174"/>
        <source>Load &amp;Overlay...</source>
        <translation>&amp;Overlay laden...</translation>
    </message>
    <message>
        <location filename="../app/desktop/OverlayController.cpp" line="176"/>
        <source>Show an image (NIfTI, NRRD, MetaImage) over the study, e.g. a heat map or a probability map</source>
        <translation>Ein Bild (NIfTI, NRRD, MetaImage) über der Studie zeigen, z. B. eine Heatmap oder eine Wahrscheinlichkeitskarte</translation>
    </message>
    <message>
        <location filename="../app/desktop/OverlayController.cpp" line="178"/>
        <source>Overlay &amp;Visible</source>
        <translation>Overlay &amp;sichtbar</translation>
    </message>
    <message>
        <location filename="../app/desktop/OverlayController.cpp" line="179"/>
        <source>Show or hide the loaded overlay (O)</source>
        <translation>Das geladene Overlay zeigen oder ausblenden (O)</translation>
    </message>
    <message>
        <location filename="../app/desktop/OverlayController.cpp" line="180"/>
        <source>Remove Overla&amp;y</source>
        <translation>Overla&amp;y entfernen</translation>
    </message>
    <message>
        <location filename="../app/desktop/OverlayController.cpp" line="181"/>
        <location filename="../app/desktop/OverlayController.cpp" line="183"/>
        <source>Overlay</source>
        <translation>Overlay</translation>
    </message>
    <message>
        <location filename="../app/desktop/OverlayController.cpp" line="182"/>
        <source>Overlay &amp;Panel</source>
        <translation>Overlay-&amp;Bereich</translation>
    </message>
    <message>
        <location filename="../app/desktop/OverlayController.cpp" line="184"/>
        <source>Opacity</source>
        <translation>Deckkraft</translation>
    </message>
    <message>
        <location filename="../app/desktop/OverlayController.cpp" line="185"/>
        <source>Threshold</source>
        <translation>Schwelle</translation>
    </message>
    <message>
        <location filename="../app/desktop/OverlayController.cpp" line="186"/>
        <source>Voxels below this value are not drawn</source>
        <translation>Voxel unter diesem Wert werden nicht gezeichnet</translation>
    </message>
    <message>
        <location filename="../app/desktop/OverlayController.cpp" line="187"/>
        <source>No overlay loaded</source>
        <translation>Kein Overlay geladen</translation>
    </message>
    <message>
        <location filename="../app/desktop/OverlayController.cpp" line="188"/>
        <source>%1 (resampled onto the study grid)</source>
        <translation>%1 (auf das Raster der Studie umgerechnet)</translation>
    </message>
    <message>
        <location filename="../app/desktop/OverlayController.cpp" line="201"/>
        <source>Cannot load the overlay %1: %2</source>
        <translation>Das Overlay %1 kann nicht geladen werden: %2</translation>
    </message>
    <message>
        <location filename="../app/desktop/OverlayController.cpp" line="266"/>
        <location filename="../app/desktop/OverlayController.cpp" line="284"/>
        <source>no study is open.</source>
        <translation>es ist keine Studie geöffnet.</translation>
    </message>
    <message>
        <location filename="../app/desktop/OverlayController.cpp" line="219"/>
        <source>it does not overlap the study (overlay %1; study %2).</source>
        <translation>es überlappt die Studie nicht (Overlay %1; Studie %2).</translation>
    </message>
    <message>
        <location filename="../app/desktop/OverlayController.cpp" line="292"/>
        <source>Loading the overlay %1...</source>
        <translation>Lade das Overlay %1...</translation>
    </message>
    <message>
        <location filename="../app/desktop/OverlayController.cpp" line="342"/>
        <source>Overlay %1: colours from %2 to %3%4</source>
        <translation>Overlay %1: Farben von %2 bis %3%4</translation>
    </message>
    <message>
        <location filename="../app/desktop/OverlayController.cpp" line="346"/>
        <source> (resampled onto the study grid)</source>
        <translation> (auf das Raster der Studie umgerechnet)</translation>
    </message>
    <message>
        <location filename="../app/desktop/OverlayController.cpp" line="90"/>
        <location filename="../app/desktop/OverlayController.cpp" line="354"/>
        <source>Load Overlay</source>
        <translation>Overlay laden</translation>
    </message>
    <message>
        <location filename="../app/desktop/OverlayController.cpp" line="355"/>
        <source>Images (*.nii *.nii.gz *.nrrd *.nhdr *.mha *.mhd);;All files (*)</source>
        <translation>Bilder (*.nii *.nii.gz *.nrrd *.nhdr *.mha *.mhd);;Alle Dateien (*)</translation>
    </message>
</context>
<context>
    <name>bmsc::app::RecentFiles</name>
    <message>
        <location filename="../app/desktop/RecentFiles.cpp" line="59"/>
        <source>&amp;%1 %2  (%3)</source>
        <translation>&amp;%1 %2  (%3)</translation>
    </message>
    <message>
        <location filename="../app/desktop/RecentFiles.cpp" line="69"/>
        <source>&amp;Clear Recent Folders</source>
        <translation>Liste &amp;leeren</translation>
    </message>
    <message>
        <location filename="../app/desktop/RecentFiles.cpp" line="78"/>
        <source>Folder not found</source>
        <translation>Ordner nicht gefunden</translation>
    </message>
    <message>
        <location filename="../app/desktop/RecentFiles.cpp" line="79"/>
        <source>%1 no longer exists; it was removed from the recent folders.</source>
        <translation>%1 existiert nicht mehr und wurde aus der Liste der zuletzt geöffneten Ordner entfernt.</translation>
    </message>
</context>
<context>
    <name>bmsc::app::SeriesAssignmentDialog</name>
    <message>
        <location filename="../app/desktop/SeriesAssignmentDialog.cpp" line="46"/>
        <source>Series Assignment</source>
        <translation>Serienzuordnung</translation>
    </message>
    <message>
        <location filename="../app/desktop/SeriesAssignmentDialog.cpp" line="48"/>
        <source>What was found in %1:</source>
        <translation>Gefunden in %1:</translation>
    </message>
    <message>
        <location filename="../app/desktop/SeriesAssignmentDialog.cpp" line="73"/>
        <source>The series assignment can be corrected for DICOM studies only.</source>
        <translation>Die Serienzuordnung lässt sich nur bei DICOM-Studien korrigieren.</translation>
    </message>
    <message>
        <location filename="../app/desktop/SeriesAssignmentDialog.cpp" line="75"/>
        <source>Assign series to channels</source>
        <translation>Serien den Kanälen zuordnen</translation>
    </message>
    <message>
        <location filename="../app/desktop/SeriesAssignmentDialog.cpp" line="77"/>
        <source>Pre</source>
        <translation>Nativ</translation>
    </message>
    <message>
        <location filename="../app/desktop/SeriesAssignmentDialog.cpp" line="77"/>
        <source>Post 1</source>
        <translation>Post 1</translation>
    </message>
    <message>
        <location filename="../app/desktop/SeriesAssignmentDialog.cpp" line="77"/>
        <source>Post 2</source>
        <translation>Post 2</translation>
    </message>
    <message>
        <location filename="../app/desktop/SeriesAssignmentDialog.cpp" line="78"/>
        <source>Post 3</source>
        <translation>Post 3</translation>
    </message>
    <message>
        <location filename="../app/desktop/SeriesAssignmentDialog.cpp" line="78"/>
        <source>Post 4</source>
        <translation>Post 4</translation>
    </message>
    <message>
        <location filename="../app/desktop/SeriesAssignmentDialog.cpp" line="78"/>
        <source>T2</source>
        <translation>T2</translation>
    </message>
    <message>
        <location filename="../app/desktop/SeriesAssignmentDialog.cpp" line="83"/>
        <source>Automatic</source>
        <translation>Automatisch</translation>
    </message>
    <message numerus="yes">
        <location filename="../app/desktop/SeriesAssignmentDialog.cpp" line="85"/>
        <source>#%1 %2 (%n frame(s), %3 temporal position(s))</source>
        <translation>
            <numerusform>#%1 %2 (%n Bild, %3 Zeitpunkt(e))</numerusform>
            <numerusform>#%1 %2 (%n Bilder, %3 Zeitpunkt(e))</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../app/desktop/SeriesAssignmentDialog.cpp" line="112"/>
        <source>&amp;Reload with This Assignment</source>
        <translation>Mit dieser Zuordnung neu &amp;laden</translation>
    </message>
    <message>
        <location filename="../app/desktop/SeriesAssignmentDialog.cpp" line="130"/>
        <source>Not a DICOM study.</source>
        <translation>Keine DICOM-Studie.</translation>
    </message>
    <message>
        <location filename="../app/desktop/SeriesAssignmentDialog.cpp" line="158"/>
        <source>Choose a series for each of pre and post 1-4, or one series with temporal positions for pre only, or none (automatic).</source>
        <translation>Bitte für Nativ und Post 1–4 je eine Serie wählen, oder nur für Nativ eine Serie mit mehreren Zeitpunkten, oder keine (automatisch).</translation>
    </message>
</context>
<context>
    <name>bmsc::app::SettingsDialog</name>
    <message>
        <location filename="../app/desktop/SettingsDialog.cpp" line="14"/>
        <source>Preferences</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <location filename="../app/desktop/SettingsDialog.cpp" line="17"/>
        <source>System language</source>
        <translation>Sprache des Systems</translation>
    </message>
    <message>
        <location filename="../app/desktop/SettingsDialog.cpp" line="26"/>
        <source>Software (fast everywhere)</source>
        <translation>Software (überall schnell)</translation>
    </message>
    <message>
        <location filename="../app/desktop/SettingsDialog.cpp" line="27"/>
        <source>OpenGL (VTK)</source>
        <translation>OpenGL (VTK)</translation>
    </message>
    <message>
        <location filename="../app/desktop/SettingsDialog.cpp" line="29"/>
        <source>Both draw the same picture. Software drawing needs no graphics card and keeps scrolling smooth over remote or virtual displays.</source>
        <translation>Beide zeichnen dasselbe Bild. Das Zeichnen in Software braucht keine Grafikkarte und hält das Blättern auch auf entfernten oder virtuellen Bildschirmen flüssig.</translation>
    </message>
    <message>
        <location filename="../app/desktop/SettingsDialog.cpp" line="35"/>
        <source>The language changes the next time BreastMSC starts.</source>
        <translation>Die Sprache wechselt beim nächsten Start von BreastMSC.</translation>
    </message>
    <message>
        <location filename="../app/desktop/SettingsDialog.cpp" line="38"/>
        <source>&amp;Language:</source>
        <translation>&amp;Sprache:</translation>
    </message>
    <message>
        <location filename="../app/desktop/SettingsDialog.cpp" line="39"/>
        <source>&amp;Draw slices with:</source>
        <translation>Schichten &amp;zeichnen mit:</translation>
    </message>
</context>
<context>
    <name>bmsc::app::ShortcutsDialog</name>
    <message>
        <location filename="../app/desktop/ShortcutsDialog.cpp" line="15"/>
        <source>Keyboard Shortcuts</source>
        <translation>Tastenkürzel</translation>
    </message>
    <message>
        <location filename="../app/desktop/ShortcutsDialog.cpp" line="30"/>
        <source> or </source>
        <translation> oder </translation>
    </message>
    <message>
        <location filename="../app/desktop/ShortcutsDialog.cpp" line="33"/>
        <source>Next / previous slice</source>
        <translation>Nächste / vorige Schicht</translation>
    </message>
    <message>
        <location filename="../app/desktop/ShortcutsDialog.cpp" line="33"/>
        <source>Wheel, Up/Down, PageUp/PageDown</source>
        <translation>Mausrad, Auf/Ab, Bild auf/Bild ab</translation>
    </message>
    <message>
        <location filename="../app/desktop/ShortcutsDialog.cpp" line="34"/>
        <source>Zoom about the cursor</source>
        <translation>Zoom um den Mauszeiger</translation>
    </message>
    <message>
        <location filename="../app/desktop/ShortcutsDialog.cpp" line="34"/>
        <source>Ctrl+Wheel</source>
        <translation>Strg+Mausrad</translation>
    </message>
    <message>
        <location filename="../app/desktop/ShortcutsDialog.cpp" line="35"/>
        <source>Pan</source>
        <translation>Verschieben</translation>
    </message>
    <message>
        <location filename="../app/desktop/ShortcutsDialog.cpp" line="35"/>
        <source>Middle drag, or Shift+left drag</source>
        <translation>Mit mittlerer Taste ziehen, oder Umschalt+linke Taste</translation>
    </message>
    <message>
        <location filename="../app/desktop/ShortcutsDialog.cpp" line="36"/>
        <source>Window (horizontal) and level (vertical)</source>
        <translation>Fensterbreite (horizontal) und -mitte (vertikal)</translation>
    </message>
    <message>
        <location filename="../app/desktop/ShortcutsDialog.cpp" line="36"/>
        <source>Right drag</source>
        <translation>Mit rechter Taste ziehen</translation>
    </message>
    <message>
        <location filename="../app/desktop/ShortcutsDialog.cpp" line="37"/>
        <source>Move the crosshair (on a MIP: to the brightest voxel)</source>
        <translation>Fadenkreuz setzen (in einer MIP: auf das hellste Voxel)</translation>
    </message>
    <message>
        <location filename="../app/desktop/ShortcutsDialog.cpp" line="37"/>
        <source>Left click</source>
        <translation>Linksklick</translation>
    </message>
    <message>
        <location filename="../app/desktop/ShortcutsDialog.cpp" line="38"/>
        <source>Open a study or cohort folder</source>
        <translation>Studien- oder Kohortenordner öffnen</translation>
    </message>
    <message>
        <location filename="../app/desktop/ShortcutsDialog.cpp" line="38"/>
        <source>Drop the folder on the window</source>
        <translation>Ordner auf das Fenster ziehen</translation>
    </message>
    <message>
        <location filename="../app/desktop/ShortcutsDialog.cpp" line="44"/>
        <source>Action</source>
        <translation>Aktion</translation>
    </message>
    <message>
        <location filename="../app/desktop/ShortcutsDialog.cpp" line="44"/>
        <source>Shortcut</source>
        <translation>Kürzel</translation>
    </message>
</context>
<context>
    <name>bmsc::app::WindowLevelMenu</name>
    <message>
        <location filename="../app/desktop/WindowLevelMenu.cpp" line="17"/>
        <source>&amp;Automatic (1st-99.5th percentile)</source>
        <translation>&amp;Automatisch (1.–99,5. Perzentil)</translation>
    </message>
    <message>
        <location filename="../app/desktop/WindowLevelMenu.cpp" line="19"/>
        <source>&amp;Full Range (minimum-maximum)</source>
        <translation>&amp;Gesamter Bereich (Minimum–Maximum)</translation>
    </message>
    <message>
        <location filename="../app/desktop/WindowLevelMenu.cpp" line="21"/>
        <source>T&amp;1 Dynamic (2nd-99.8th percentile)</source>
        <translation>T&amp;1 dynamisch (2.–99,8. Perzentil)</translation>
    </message>
    <message>
        <location filename="../app/desktop/WindowLevelMenu.cpp" line="23"/>
        <source>&amp;Subtraction (median-99.9th percentile)</source>
        <translation>&amp;Subtraktion (Median–99,9. Perzentil)</translation>
    </message>
    <message>
        <location filename="../app/desktop/WindowLevelMenu.cpp" line="25"/>
        <source>T&amp;2 (1st-99.9th percentile)</source>
        <translation>T&amp;2 (1.–99,9. Perzentil)</translation>
    </message>
    <message>
        <location filename="../app/desktop/WindowLevelMenu.cpp" line="29"/>
        <source>&amp;High Contrast (25th-99th percentile)</source>
        <translation>&amp;Hoher Kontrast (25.–99. Perzentil)</translation>
    </message>
    <message>
        <location filename="../app/desktop/WindowLevelMenu.cpp" line="33"/>
        <source>&amp;Window/Level</source>
        <translation>&amp;Fenster</translation>
    </message>
</context>
<context>
    <name>bmsc::viewer::ColorBar</name>
    <message>
        <location filename="../viewer/widgets/ColorBar.cpp" line="55"/>
        <source>persistent</source>
        <translation>persistierend</translation>
    </message>
    <message>
        <location filename="../viewer/widgets/ColorBar.cpp" line="55"/>
        <source>plateau</source>
        <translation>Plateau</translation>
    </message>
    <message>
        <location filename="../viewer/widgets/ColorBar.cpp" line="55"/>
        <source>washout</source>
        <translation>Wash-out</translation>
    </message>
</context>
<context>
    <name>bmsc::viewer::KineticPanel</name>
    <message>
        <location filename="../viewer/widgets/KineticPanel.cpp" line="112"/>
        <source>slow</source>
        <translation>langsam</translation>
    </message>
    <message>
        <location filename="../viewer/widgets/KineticPanel.cpp" line="114"/>
        <source>medium</source>
        <translation>mittel</translation>
    </message>
    <message>
        <location filename="../viewer/widgets/KineticPanel.cpp" line="116"/>
        <source>fast</source>
        <translation>schnell</translation>
    </message>
    <message>
        <location filename="../viewer/widgets/KineticPanel.cpp" line="124"/>
        <source>persistent</source>
        <translation>persistierend</translation>
    </message>
    <message>
        <location filename="../viewer/widgets/KineticPanel.cpp" line="126"/>
        <source>plateau</source>
        <translation>Plateau</translation>
    </message>
    <message>
        <location filename="../viewer/widgets/KineticPanel.cpp" line="128"/>
        <source>washout</source>
        <translation>Wash-out</translation>
    </message>
    <message>
        <location filename="../viewer/widgets/KineticPanel.cpp" line="181"/>
        <source>time after the pre-contrast phase (s)</source>
        <translation>Zeit nach der Nativphase (s)</translation>
    </message>
    <message>
        <location filename="../viewer/widgets/KineticPanel.cpp" line="182"/>
        <source>phase (0 = pre)</source>
        <translation>Phase (0 = nativ)</translation>
    </message>
    <message>
        <location filename="../viewer/widgets/KineticPanel.cpp" line="183"/>
        <source>relative enhancement (%)</source>
        <translation>relativer Signalanstieg (%)</translation>
    </message>
    <message>
        <location filename="../viewer/widgets/KineticPanel.cpp" line="188"/>
        <source>Open a study and point at a lesion: the curve under the mouse is shown; a click sets the crosshair, whose curve stays when the mouse leaves the image.</source>
        <translation>Öffnen Sie eine Studie und zeigen Sie auf eine Läsion: Die Kurve unter der Maus wird gezeigt; ein Klick setzt das Fadenkreuz, dessen Kurve bleibt, wenn die Maus das Bild verlässt.</translation>
    </message>
    <message numerus="yes">
        <location filename="../viewer/widgets/KineticPanel.cpp" line="194"/>
        <source>%1 (%2, %3, %4), mean of %n voxel(s)</source>
        <translation>
            <numerusform>%1 (%2, %3, %4), Mittel über %n Voxel</numerusform>
            <numerusform>%1 (%2, %3, %4), Mittel über %n Voxel</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../viewer/widgets/KineticPanel.cpp" line="195"/>
        <source>Crosshair</source>
        <translation>Fadenkreuz</translation>
    </message>
    <message>
        <location filename="../viewer/widgets/KineticPanel.cpp" line="195"/>
        <source>Mouse</source>
        <translation>Maus</translation>
    </message>
    <message>
        <location filename="../viewer/widgets/KineticPanel.cpp" line="201"/>
        <source>%1 / %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <location filename="../viewer/widgets/KineticPanel.cpp" line="205"/>
        <source>initial %1 at post1, delayed %2 from post1 to post4</source>
        <translation>initial %1 in post1, spät %2 von post1 bis post4</translation>
    </message>
    <message>
        <location filename="../viewer/widgets/KineticPanel.cpp" line="209"/>
        <source>no baseline</source>
        <translation>kein Ausgangswert</translation>
    </message>
    <message>
        <location filename="../viewer/widgets/KineticPanel.cpp" line="212"/>
        <source>pre-contrast signal %1 is background: no relative enhancement</source>
        <translation>Nativsignal %1 ist Hintergrund: kein relativer Signalanstieg</translation>
    </message>
    <message>
        <location filename="../viewer/widgets/KineticPanel.cpp" line="219"/>
        <source>No dynamic phases at this point.</source>
        <translation>Keine dynamischen Phasen an dieser Stelle.</translation>
    </message>
</context>
<context>
    <name>bmsc::viewer::SliceView</name>
    <message>
        <location filename="../viewer/widgets/SliceView.cpp" line="257"/>
        <source>Open a study or a cohort (File menu)</source>
        <translation>Öffnen Sie eine Studie oder eine Kohorte (Menü Datei)</translation>
    </message>
    <message>
        <location filename="../viewer/widgets/SliceView.cpp" line="274"/>
        <source>MIP sub%1</source>
        <translation>MIP sub%1</translation>
    </message>
    <message>
        <location filename="../viewer/widgets/SliceView.cpp" line="292"/>
        <source>%1  slice %2/%3</source>
        <translation>%1  Schicht %2/%3</translation>
    </message>
    <message>
        <location filename="../viewer/widgets/SliceView.cpp" line="275"/>
        <location filename="../viewer/widgets/SliceView.cpp" line="295"/>
        <source>W %1  L %2</source>
        <translation>Breite %1  Zentrum %2</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <location filename="../app/desktop/main.cpp" line="41"/>
        <source>Breast DCE-MRI review and malignancy classification</source>
        <translation>Befundung der Mamma-DCE-MRT und Malignitätsklassifikation</translation>
    </message>
    <message>
        <location filename="../app/desktop/main.cpp" line="45"/>
        <source>Study or cohort folder to open</source>
        <translation>Zu öffnender Studien- oder Kohortenordner</translation>
    </message>
</context>
</TS>
