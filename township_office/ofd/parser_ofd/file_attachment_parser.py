#!/usr/bin/env python
# -*- coding: utf-8 -*-
# PROJECT_NAME:  file_attachment_parser.py
# CREATE_TIME: 2025/4/9 18:52
# E_MAIL: renoyuan@foxmail.com
# AUTHOR: reno
# NOTE:
